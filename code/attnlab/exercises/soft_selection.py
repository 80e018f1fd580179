"""Exercises of chapter 1, "Attention as soft selection" (soft-selection.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import masked_softmax, scaled_dot_product_attention
from .declarations import function_exercise

_generator = torch.Generator().manual_seed(11)
QUERY = torch.randn(4, generator=_generator)           # (d_k,)
KEYS = torch.randn(5, 4, generator=_generator)         # (n_keys, d_k)
VALUES = torch.randn(5, 3, generator=_generator)       # (n_keys, d_v)


def _attend(query, keys, values, scale=True, softmax=True):
    scores = keys @ query / (math.sqrt(query.shape[0]) if scale else 1.0)
    return (torch.softmax(scores, dim=0) if softmax else scores) @ values


function_exercise(
    "1.1-weighted-average", name="attend", cases=[(QUERY, KEYS, VALUES)],
    reference=lambda q, k, v: scaled_dot_product_attention(q[None], k, v)[0][0],
    describe=lambda *case: "attend(query, keys, values)",
    mistakes={"unscaled": lambda *case: _attend(*case, scale=False),
              "plain-mean": lambda q, k, v: v.mean(dim=0),
              "no-softmax": lambda *case: _attend(*case, softmax=False)},
    shapes={(4,): "keys-averaged"})


_MASK_SCORES = torch.randn(4, 6, generator=_generator)     # (n_queries, n_keys)
_MASK = torch.tensor([[True, True, False, True, False, True],
                      [False, True, True, True, True, True],
                      [False, False, False, False, False, False],   # a query that may attend to nothing
                      [True, False, False, False, False, False]])


def d2l_masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The d2l book's masked softmax as it shipped before its pull request #2423, for boolean
    masks: masked scores filled with a large negative number, then the softmax. A row that may
    attend to no key gets uniform weights over the padding instead of zeros."""
    return torch.softmax(scores.masked_fill(~mask, -1e6), dim=-1)


function_exercise(
    "1.1-masked-softmax", name="fixed_masked_softmax", cases=[(_MASK_SCORES, _MASK)], reference=masked_softmax,
    describe=lambda *case: "fixed_masked_softmax(scores, mask)",
    mistakes={"as-shipped": d2l_masked_softmax,
              "nan-row": lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), -1),
              "mask-ignored": lambda s, m: torch.softmax(s, -1),
              "inverted-mask": lambda s, m: d2l_masked_softmax(s, ~m) * ~m,
              "masked-after-softmax": lambda s, m: torch.softmax(s, -1) * m})
