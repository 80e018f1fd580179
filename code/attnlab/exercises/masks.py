"""Exercises of chapter 7, "Masks that do not leak" (masks.ipynb): a leaking causal mask to debug,
and the prefix-LM mask, a transfer of the causal mask."""

from __future__ import annotations

import torch

from ..attention import causal_mask
from .declarations import function_exercise


def leaky_mask(n: int) -> torch.Tensor:
    """The mask of the debug exercise, as written: the lower triangle one diagonal too far."""
    return torch.ones(n, n, dtype=torch.bool).tril(diagonal=1)


_SIZES = [(4,), (7,), (1,)]

function_exercise(
    "7.2-causal-mask", name="fixed_mask", cases=_SIZES, reference=causal_mask,
    describe=lambda n: f"fixed_mask({n})",
    mistakes={"leaky-mask": leaky_mask,
              "upper-triangle": lambda n: causal_mask(n).T,
              "true-where-forbidden": lambda n: ~causal_mask(n),
              "no-diagonal": lambda n: torch.ones(n, n, dtype=torch.bool).tril(diagonal=-1)})


def _prefix_lm_mask(n: int, prefix: int) -> torch.Tensor:
    keys = torch.arange(n)[None, :]
    return causal_mask(n) | (keys < prefix)


_PREFIX_CASES = [(6, 3), (5, 1), (4, 4), (7, 0)]

function_exercise(
    "7.2-prefix-lm-mask", name="prefix_lm_mask", cases=_PREFIX_CASES, reference=_prefix_lm_mask,
    describe=lambda n, p: f"prefix_lm_mask({n}, prefix={p})",
    mistakes={"causal-only": lambda n, p: causal_mask(n),
              "prefix-rows": lambda n, p: causal_mask(n) | (torch.arange(n)[:, None] < p),
              "one-key-too-many": lambda n, p: causal_mask(n) | (torch.arange(n)[None, :] <= p),
              "all-visible": lambda n, p: torch.ones(n, n, dtype=torch.bool)})


