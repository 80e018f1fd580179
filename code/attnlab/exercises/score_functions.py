"""Exercises of chapter 4, "Score functions" (score-functions.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_GENERATOR = torch.Generator().manual_seed(45)
_QUERY = torch.randn(3, 4, generator=_GENERATOR, dtype=torch.float64)
_KEY = torch.randn(5, 6, generator=_GENERATOR, dtype=torch.float64)
_WEIGHT = torch.randn(4, 6, generator=_GENERATOR, dtype=torch.float64)
_QUERY_WEIGHT = torch.randn(7, 4, generator=_GENERATOR, dtype=torch.float64)   # (d_hidden, d_q)
_KEY_WEIGHT = torch.randn(7, 6, generator=_GENERATOR, dtype=torch.float64)     # (d_hidden, d_k)
_V = torch.randn(7, generator=_GENERATOR, dtype=torch.float64)


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


def _additive(query, key, query_weight, key_weight, v, squash=torch.tanh):
    return squash((query @ query_weight.T)[:, None, :] + (key @ key_weight.T)[None, :, :]) @ v


@exercise("4.5-additive-score", "The additive (concat) score")
def _(answer):
    for n_queries, n_keys in ((3, 5), (1, 2)):
        query, key = _QUERY[:n_queries].clone(), _KEY[:n_keys].clone()
        scores = call(answer, query, key, _QUERY_WEIGHT.clone(), _KEY_WEIGHT.clone(), _V.clone(),
                      name="additive_score")
        scores = as_tensor(scores, "additive_score(query, key, query_weight, key_weight, v)",
                           shape=(n_queries, n_keys))
        expected = _additive(query, key, _QUERY_WEIGHT, _KEY_WEIGHT, _V)
        if torch.allclose(scores, _additive(query, key, _QUERY_WEIGHT, _KEY_WEIGHT, _V, squash=lambda x: x),
                          atol=1e-6):
            raise Incorrect("your scores have no tanh: without it, v^T (W_q q + W_k k) is a sum of one term "
                            "for the query and one for the key, and the query's term is the same for "
                            "every key, so it cannot change the weights.")
        if torch.allclose(scores, torch.softmax(expected, dim=-1), atol=1e-6):
            raise Incorrect("you returned the softmax of the scores, i.e. attention weights. Return the raw scores.")
        expect_close(scores, expected, "additive_score(query, key, query_weight, key_weight, v)",
                     hint="Project first (query @ query_weight.T is (n_queries, d_hidden)), add with a new "
                          "axis on each side to get (n_queries, n_keys, d_hidden), then tanh, then @ v.")
    return ("The hidden tensor has one vector per (query, key) pair: n_queries x n_keys x d_hidden numbers, "
            "the cost the bilinear score avoids.")


number_exercise(
    "4.5-dot-variance", "The variance of a dot product at width 64",
    answer=64, tolerance=0.5,
    praise="Variance d = 64, standard deviation 8: that is why Transformers divide by sqrt(d).",
    hint="q.k is a sum of d = 64 independent products q_i k_i, each with mean 0 and variance 1. "
         "What is the variance of such a sum?",
    wrong={1: "1 is the variance of the *scaled* score q.k / sqrt(d). Without the scaling, each of the d "
              "products adds a variance of 1.",
           8: "8 = sqrt(64) is the standard deviation of q.k, not its variance.",
           4096: "4096 = 64^2 would be the variance if the products were perfectly correlated; they are "
                 "independent, so their variances add: 64 x 1."})
