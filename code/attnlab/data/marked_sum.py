"""The marked-sum task of chapter 3 ("A trained model attends to what matters"): only marked tokens count.

A sequence holds ``length`` random digits; ``n_marked`` of them carry a mark. The target is the
sum of the marked digits. A token's id is ``digit + 10 · marked`` (20 ids), so a model sees both
the digit and the mark, but must learn that only the marked tokens are relevant.
"""

from __future__ import annotations

import torch
from ..seeding import make_generator

__all__ = ["VOCAB_SIZE", "make_marked_sum", "token_labels"]

VOCAB_SIZE = 20


def make_marked_sum(n_samples: int, length: int = 16, n_marked: int = 2, seed: int | torch.Generator = 0
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns ``(tokens, relevant, targets)``.

    tokens: (n_samples, length) int64 ids in [0, 20); relevant: (n_samples, length) bool, True at
    the marked positions; targets: (n_samples,) the sum of the marked digits, in [0, 9 · n_marked].
    """
    if not 1 <= n_marked <= length:
        raise ValueError(f"n_marked must be between 1 and length={length}, got {n_marked}")
    generator = make_generator(seed)
    digits = torch.randint(0, 10, (n_samples, length), generator=generator)
    order = torch.rand(n_samples, length, generator=generator).argsort(dim=1)
    relevant = torch.zeros(n_samples, length, dtype=torch.bool).scatter(1, order[:, :n_marked], True)
    tokens = digits + 10 * relevant.long()
    targets = (digits * relevant).sum(dim=1)
    return tokens, relevant, targets


def token_labels(tokens: torch.Tensor) -> list[str]:
    """Readable labels for one sequence of ids: a marked 7 is ``[7]``, an unmarked 7 is ``7``."""
    return [f"[{t - 10}]" if t >= 10 else str(int(t)) for t in tokens.tolist()]
