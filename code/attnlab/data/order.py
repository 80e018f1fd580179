"""The order task of chapter 3 ("No notion of order"): does ``A`` come before ``B``?

Each sequence holds one ``A`` (id 0), one ``B`` (id 1) and filler tokens (ids 2..9) elsewhere.
The target is 1 when ``A`` comes first. Every sequence and its reverse hold the same bag of
tokens but have opposite targets, so a model that ignores order is at chance (50%).
"""

from __future__ import annotations

import torch
from ..seeding import make_generator

__all__ = ["VOCAB_SIZE", "make_a_before_b", "token_labels"]

VOCAB_SIZE = 10


def make_a_before_b(n_samples: int, length: int = 8, seed: int | torch.Generator = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns ``(tokens, targets)``: tokens (n_samples, length) int64, targets (n_samples,) in {0, 1}."""
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    generator = make_generator(seed)
    tokens = torch.randint(2, VOCAB_SIZE, (n_samples, length), generator=generator)
    positions = torch.rand(n_samples, length, generator=generator).argsort(dim=1)[:, :2]
    rows = torch.arange(n_samples)
    tokens[rows, positions[:, 0]] = 0
    tokens[rows, positions[:, 1]] = 1
    return tokens, (positions[:, 0] < positions[:, 1]).long()


def token_labels(tokens: torch.Tensor) -> list[str]:
    """Readable labels for one sequence: ``A``, ``B`` and the filler digits."""
    return ["A" if t == 0 else "B" if t == 1 else str(int(t)) for t in tokens.tolist()]
