"""The marked-pairs task of chapter 4, section "Multi-head attention" (multi-head.ipynb).

Each input is a row of ``n_positions`` random digits 0-9. Two of them, at distinct random
places, are marked: one with **a**, one with **b**. The target is ``(a - b) mod 10``. A model must
find both marked digits *and* keep apart which is which, since a - b != b - a: a task where
two attention heads can each deliver one digit.
"""

from __future__ import annotations

import torch
from ..seeding import make_generator

__all__ = ["make_marked_pairs", "pair_tokens", "MARK_NAMES"]

MARK_NAMES = ("", "a", "b")  # mark 0 = unmarked, 1 = a, 2 = b


def make_marked_pairs(n_samples: int, n_positions: int = 10, generator: torch.Generator | None = None,
                      seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rows of digits with one digit marked a and one marked b.

    Returns ``(digits, marks, targets)``: digits (n_samples, n_positions), long in 0..9;
    marks (n_samples, n_positions), long, 0 = unmarked, 1 = a, 2 = b (exactly one of each per row);
    targets (n_samples,), long, ``(a - b) % 10``. Randomness comes from ``generator`` when given
    (successive calls then continue its stream), otherwise from a fresh generator seeded with ``seed``.
    """
    if n_positions < 2:
        raise ValueError(f"n_positions must be at least 2 (two marked digits), got {n_positions}")
    if generator is None:
        generator = make_generator(seed)
    digits = torch.randint(0, 10, (n_samples, n_positions), generator=generator)
    where = torch.rand(n_samples, n_positions, generator=generator).argsort(-1)[:, :2]  # two distinct places
    marks = torch.zeros(n_samples, n_positions, dtype=torch.long)
    marks.scatter_(1, where[:, :1], 1)
    marks.scatter_(1, where[:, 1:], 2)
    a, b = digits.gather(1, where[:, :1])[:, 0], digits.gather(1, where[:, 1:])[:, 0]
    return digits, marks, (a - b) % 10


def pair_tokens(digits: torch.Tensor, marks: torch.Tensor) -> list[str]:
    """Labels for one row, e.g. ``["3", "5a", "4b", ...]``: digits (n_positions,), marks (n_positions,)."""
    if digits.shape != marks.shape or digits.dim() != 1:
        raise ValueError(f"digits and marks must both have shape (n_positions,); got {tuple(digits.shape)} "
                         f"and {tuple(marks.shape)}")
    return [f"{d}{MARK_NAMES[m]}" for d, m in zip(digits.tolist(), marks.tolist())]
