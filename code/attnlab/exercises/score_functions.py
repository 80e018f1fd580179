"""Exercises of chapter 4, "Score functions" (score-functions.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_number, as_tensor, call, exercise, expect_close

_GENERATOR = torch.Generator().manual_seed(45)
_QUERY = torch.randn(3, 4, generator=_GENERATOR, dtype=torch.float64)
_KEY = torch.randn(5, 6, generator=_GENERATOR, dtype=torch.float64)
_WEIGHT = torch.randn(4, 6, generator=_GENERATOR, dtype=torch.float64)


@exercise("4.5-general-score", "The bilinear (general) score")
def _(answer):
    scores = call(answer, _QUERY.clone(), _KEY.clone(), _WEIGHT.clone(), name="general_score")
    scores = as_tensor(scores, "general_score(query, key, weight)", shape=(3, 5))
    expected = _QUERY @ _WEIGHT @ _KEY.T
    if torch.allclose(scores, (_QUERY @ _WEIGHT @ _KEY.T) / 6 ** 0.5, atol=1e-6):
        raise Incorrect("your scores are divided by sqrt(d). The bilinear score is q^T W k, with no scaling: "
                        "the matrix W can learn any scale it needs.")
    if torch.allclose(scores, torch.softmax(expected, dim=-1), atol=1e-6):
        raise Incorrect("you returned the softmax of the scores, i.e. attention weights. Return the raw scores.")
    expect_close(scores, expected, "general_score(query, key, weight)",
                 hint="Row i, column j should be query[i] @ weight @ key[j]: try query @ weight @ key.T.")
    return "One extra matrix W lets a query and a key of different widths (here 4 and 6) be compared."


@exercise("4.5-dot-variance", "The variance of a dot product at width 64")
def _(answer):
    if answer is None:
        raise Incorrect("`answer` is None: replace it by your prediction, a number.")
    value = as_number(answer, "your prediction")
    if abs(value - 1.0) < 0.05:
        raise Incorrect("1 is the variance of the *scaled* score q.k / sqrt(d). Without the scaling, "
                        "each of the d products adds a variance of 1.")
    if abs(value - 8.0) < 0.05:
        raise Incorrect("8 = sqrt(64) is the standard deviation of q.k, not its variance.")
    if abs(value - 64.0) > 0.5:
        raise Incorrect(f"{value:g} is not it. q.k is a sum of d = 64 independent products q_i k_i, each with "
                        f"mean 0 and variance 1. What is the variance of such a sum?")
    return "Variance d = 64, standard deviation 8: that is why Transformers divide by sqrt(d)."
