"""The local-motif task: does the digit 3 sit right before a 7?

Introduced in chapter 3 ("A weak inductive bias: attention needs more data").

Sequences of random digits; half of them contain the adjacent pair ``3 7`` (planted at a random
place), the other half contain no adjacent ``3 7`` (the pair is broken up where it occurs by
chance). Both halves contain 3s and 7s, so only their *neighbourhood* decides the label exactly: a
task made for a convolution's local filters. The planted pair leaves one weak clue that ignores
order: a sequence with the motif holds on average about one more 3 and one more 7, so counting them
predicts the label about two times in three.
"""

from __future__ import annotations

import torch
from ..seeding import make_generator

__all__ = ["VOCAB_SIZE", "FIRST", "SECOND", "make_local_motif", "has_motif"]

VOCAB_SIZE, FIRST, SECOND = 10, 3, 7


def has_motif(tokens: torch.Tensor) -> torch.Tensor:
    """(n_samples, length) ids -> (n_samples,) bool: does ``3`` stand right before ``7`` somewhere?"""
    return ((tokens[:, :-1] == FIRST) & (tokens[:, 1:] == SECOND)).any(dim=1)


def make_local_motif(n_samples: int, length: int = 24, seed: int | torch.Generator = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns ``(tokens, targets)``: tokens (n_samples, length) int64 digits, targets (n_samples,) in {0, 1}."""
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    generator = make_generator(seed)
    tokens = torch.randint(0, VOCAB_SIZE, (n_samples, length), generator=generator)
    targets = torch.arange(n_samples) % 2
    targets = targets[torch.randperm(n_samples, generator=generator)]
    while True:  # break every accidental pair (replace its 7 by another digit) until none is left
        pairs = (tokens[:, :-1] == FIRST) & (tokens[:, 1:] == SECOND)
        if not pairs.any():
            break
        rows, cols = pairs.nonzero(as_tuple=True)
        tokens[rows, cols + 1] = torch.randint(0, VOCAB_SIZE - 1, (len(rows),), generator=generator) % 7
    start = torch.randint(0, length - 1, (n_samples,), generator=generator)
    rows = targets.nonzero(as_tuple=True)[0]
    tokens[rows, start[rows]] = FIRST
    tokens[rows, start[rows] + 1] = SECOND
    return tokens, targets.long()
