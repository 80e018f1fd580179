"""Exercises of chapter 1, "Attention as soft selection" (soft-selection.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import masked_softmax, scaled_dot_product_attention
from .core import Incorrect, as_tensor, call, choice_exercise, exercise, expect_close, function_exercise

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


def _masked_softmax_expected() -> torch.Tensor:
    return masked_softmax(_MASK_SCORES, _MASK).double()


@exercise("1.1-masked-softmax", "A softmax that ignores masked keys")
def _(answer):
    name = "masked_softmax(scores, mask)"
    raw = call(answer, _MASK_SCORES.clone(), _MASK.clone(), name="masked_softmax")
    if raw is None:
        raise Incorrect(f"{name} returned None: make sure the function ends with `return weights`.")
    if torch.is_tensor(raw) and raw.shape == _MASK_SCORES.shape and torch.isnan(raw).any():
        bad = sorted({int(i) for i in torch.isnan(raw).nonzero()[:, 0]})
        if bad == [2]:
            raise Incorrect("Row 2 may attend to no key at all, and your weights there are NaN: a softmax "
                            "over a row of -inf is 0/0. Give such a row all-zero weights (for example, "
                            "replace its scores by 0 before the softmax and zero the masked weights after).")
        raise Incorrect(f"Your weights contain NaN in rows {bad}. Fill masked scores with -inf (or a very "
                        f"negative number), never multiply them by -inf.")
    weights = as_tensor(raw, name, shape=tuple(_MASK_SCORES.shape))
    others = _MASK.any(-1, keepdim=True).expand_as(_MASK)         # the rows with at least one key
    if (weights[~_MASK & others].abs() <= 1e-6).all() and weights[2].abs().max() > 1e-6:
        raise Incorrect("Row 2 may attend to no key, yet it has weights. A query with nothing to attend "
                        "to gets all-zero weights (never uniform ones).")
    if (weights[~_MASK].abs() > 1e-6).any():
        if torch.allclose(weights, torch.softmax(_MASK_SCORES, -1).double(), atol=1e-4):
            raise Incorrect("These are the weights of a plain softmax: the mask changed nothing. Masked "
                            "keys (mask False) must get weight exactly 0.")
        if (weights[_MASK].abs() < 1e-6).all():
            raise Incorrect("Your mask works the wrong way round: in this book True means \"may attend\", "
                            "so the keys where the mask is False get weight 0.")
        raise Incorrect("Some masked keys (mask False) still get weight. Setting their score to 0 is not "
                        "enough, since e^0 = 1; fill them with -inf before the softmax.")
    rows_with_keys = _MASK.any(-1)
    sums = weights.sum(-1)
    if not torch.allclose(sums[rows_with_keys], torch.ones(int(rows_with_keys.sum()), dtype=torch.float64),
                          atol=1e-4):
        raise Incorrect("The masked keys get 0, but the other weights no longer sum to 1. Did you take the "
                        "softmax over all keys and then zero the masked ones? The allowed keys must share "
                        "the whole budget: mask the scores before the softmax.")
    expect_close(weights, _masked_softmax_expected(), name,
                 hint="Masked scores to -inf, softmax along the last dimension, all-masked rows to 0.")
    return "It matches attnlab.attention.masked_softmax, including the row with nothing to attend to."


choice_exercise(
    "1.1-temperature", "Predict the weights at a very high temperature",
    options=["uniform", "one-hot", "unchanged"], answer="uniform",
    praise="Scores divided by a huge temperature are all near 0, and a softmax of equal scores is uniform.",
    wrong={"one-hot": "One-hot is the limit of a very LOW temperature: dividing the scores by a tiny number "
                      "blows up their differences. A high temperature shrinks the differences.",
           "unchanged": "The ranking of the patches is unchanged, but not their weights: the softmax "
                        "depends on the differences between scores, and dividing by T = 1000 shrinks "
                        "every difference a hundred-thousand-fold compared with T = 0.01."})
