"""Exercises of chapter 1, "Attention as soft selection" (soft-selection.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import masked_softmax, scaled_dot_product_attention
from .core import choice_exercise, function_exercise

_generator = torch.Generator().manual_seed(11)
QUERY = torch.randn(4, generator=_generator)           # (d_k,)
KEYS = torch.randn(5, 4, generator=_generator)         # (n_keys, d_k)
VALUES = torch.randn(5, 3, generator=_generator)       # (n_keys, d_v)


def _attend(query, keys, values, scale=True, softmax=True):
    scores = keys @ query / (math.sqrt(query.shape[0]) if scale else 1.0)
    return (torch.softmax(scores, dim=0) if softmax else scores) @ values


function_exercise(
    "1.1-weighted-average", "Attention for one query, by hand", name="attend", cases=[(QUERY, KEYS, VALUES)],
    reference=lambda q, k, v: scaled_dot_product_attention(q[None], k, v)[0][0],
    describe=lambda *case: "attend(query, keys, values)",
    shape_messages={(4,): "attend returned 4 numbers, the width of the keys. The output is a weighted average "
                          "of the values (width d_v = 3), not of the keys."},
    mistakes={lambda *case: _attend(*case, scale=False): "Close: you forgot to divide the scores by sqrt(d_k) = 2 "
              "before the softmax.",
              lambda q, k, v: v.mean(dim=0): "Your output is the plain mean of the values: uniform weights. The "
              "weights should come from softmax(keys @ query / sqrt(d_k)).",
              lambda *case: _attend(*case, softmax=False): "You weighted the values by the raw scores. Turn the "
              "scores into an attention distribution with a softmax first, so the weights are positive and sum "
              "to 1."},
    hint="Steps: scores = keys @ query / sqrt(d_k); weights = softmax(scores); output = weights @ values.",
    praise="It matches attnlab.attention.scaled_dot_product_attention.")


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
    "1.1-masked-softmax", "Debug: the masked softmax that gave padding weight", name="fixed_masked_softmax",
    cases=[(_MASK_SCORES, _MASK)], reference=masked_softmax,
    describe=lambda *case: "fixed_masked_softmax(scores, mask)",
    mistakes={d2l_masked_softmax: "That is the function as it shipped: row 2 may attend to no key, so every one "
              "of its scores is -1e6, and a softmax of equal scores is uniform. Such a query must get all-zero "
              "weights (never uniform ones).",
              lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), -1): "Row 2 may attend to no key, and "
              "your weights there are NaN: a softmax over a row of -inf is 0/0. Keep -1e6 (or -inf with a "
              "guard) and give such a row zeros after the softmax.",
              lambda s, m: torch.softmax(s, -1): "These are the weights of a plain softmax: the mask changed "
              "nothing. Masked keys (mask False) must get weight exactly 0.",
              lambda s, m: d2l_masked_softmax(s, ~m) * ~m: "Your mask works the wrong way round: in this book True "
              "means \"may attend\", so the keys where the mask is False get weight 0.",
              lambda s, m: torch.softmax(s, -1) * m: "The masked keys get 0, but the other weights no longer sum to "
              "1: the softmax ran over all keys before you zeroed the masked ones. Mask the scores before the "
              "softmax."},
    hint="Keep d2l's softmax for the rows with an allowed key, and multiply the weights by the mask (or zero the "
         "rows where mask.any(-1) is False): every masked weight exactly 0, the allowed ones summing to 1.",
    praise="It matches attnlab.attention.masked_softmax, including the row with nothing to attend to.")


choice_exercise(
    "1.1-temperature", "Predict the weights at a very high temperature",
    options=["uniform", "one-hot", "unchanged"], answer="uniform",
    praise="Scores divided by a huge temperature are all near 0, and a softmax of equal scores is uniform.",
    wrong={"one-hot": "One-hot is the limit of a very LOW temperature: dividing the scores by a tiny number "
                      "blows up their differences. A high temperature shrinks the differences.",
           "unchanged": "The ranking of the patches is unchanged, but not their weights: the softmax "
                        "depends on the differences between scores, and dividing by T = 1000 shrinks "
                        "every difference a hundred-thousand-fold compared with T = 0.01."})
