"""Exercises of chapter 1, "Attention as soft selection" (soft-selection.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import scaled_dot_product_attention
from .core import Incorrect, as_choice, as_tensor, call, exercise, expect_close

_generator = torch.Generator().manual_seed(11)
QUERY = torch.randn(4, generator=_generator)           # (d_k,)
KEYS = torch.randn(5, 4, generator=_generator)         # (n_keys, d_k)
VALUES = torch.randn(5, 3, generator=_generator)       # (n_keys, d_v)


def _expected(scale: bool = True, softmax: bool = True) -> torch.Tensor:
    scores = KEYS @ QUERY / (math.sqrt(QUERY.shape[0]) if scale else 1.0)
    weights = torch.softmax(scores, dim=0) if softmax else scores
    return (weights @ VALUES).double()


@exercise("1.1-weighted-average", "Attention for one query, by hand")
def _(answer):
    output = as_tensor(call(answer, QUERY.clone(), KEYS.clone(), VALUES.clone(), name="attend"),
                       "attend(query, keys, values)")
    if output.shape == (4,):
        raise Incorrect("attend returned 4 numbers, the width of the keys. The output is a weighted "
                        "average of the values (width d_v = 3), not of the keys.")
    if output.shape != (3,):
        raise Incorrect(f"attend returned shape {tuple(output.shape)}; for one query it should return "
                        f"one vector of width d_v = 3.")
    if torch.allclose(output, _expected(scale=False), atol=1e-4):
        raise Incorrect("Close: you forgot to divide the scores by sqrt(d_k) = 2 before the softmax.")
    if torch.allclose(output, VALUES.double().mean(dim=0), atol=1e-4):
        raise Incorrect("Your output is the plain mean of the values: uniform weights. The weights "
                        "should come from softmax(keys @ query / sqrt(d_k)).")
    if torch.allclose(output, _expected(softmax=False), atol=1e-4):
        raise Incorrect("You weighted the values by the raw scores. Turn the scores into an attention "
                        "distribution with a softmax first, so the weights are positive and sum to 1.")
    reference, _ = scaled_dot_product_attention(QUERY[None], KEYS, VALUES)
    expect_close(output, reference[0], "attend(query, keys, values)",
                 hint="Steps: scores = keys @ query / sqrt(d_k); weights = softmax(scores); "
                      "output = weights @ values.")
    return "It matches attnlab.attention.scaled_dot_product_attention."


@exercise("1.1-temperature", "Predict the weights at a very high temperature")
def _(answer):
    if answer is None:
        raise Incorrect('You have not predicted yet: set prediction to "uniform", "one-hot" or "all zero".')
    choice = as_choice(answer, "your prediction", ["uniform", "one-hot", "all zero"])
    if choice == "one-hot":
        raise Incorrect("One-hot is the limit of a very LOW temperature: dividing the scores by a tiny "
                        "number blows up their differences. A high temperature shrinks the differences.")
    if choice == "all zero":
        raise Incorrect("Softmax weights are positive and always sum to 1, at every temperature, so "
                        "they cannot all go to zero.")
    return "Scores divided by a huge temperature are all near 0, and softmax of equal scores is uniform."
