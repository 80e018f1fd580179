"""Exercises of chapter 4, "Score functions" (score-functions.ipynb)."""

from __future__ import annotations

import torch

from .core import function_exercise, number_exercise

_GENERATOR = torch.Generator().manual_seed(45)
_QUERY = torch.randn(3, 4, generator=_GENERATOR, dtype=torch.float64)
_KEY = torch.randn(5, 6, generator=_GENERATOR, dtype=torch.float64)
_WEIGHT = torch.randn(4, 6, generator=_GENERATOR, dtype=torch.float64)
_QUERY_WEIGHT = torch.randn(7, 4, generator=_GENERATOR, dtype=torch.float64)   # (d_hidden, d_q)
_KEY_WEIGHT = torch.randn(7, 6, generator=_GENERATOR, dtype=torch.float64)     # (d_hidden, d_k)
_V = torch.randn(7, generator=_GENERATOR, dtype=torch.float64)


def _general(query, key, weight):
    return query @ weight @ key.T


def _additive(query, key, query_weight, key_weight, v, squash=torch.tanh):
    return squash((query @ query_weight.T)[:, None, :] + (key @ key_weight.T)[None, :, :]) @ v


_SOFTMAX = "you returned the softmax of the scores, i.e. attention weights. Return the raw scores."

function_exercise(
    "4.5-general-score", "The bilinear (general) score", name="general_score",
    cases=[(_QUERY, _KEY, _WEIGHT)], reference=_general, atol=1e-6,
    describe=lambda *case: "general_score(query, key, weight)",
    mistakes={lambda *case: _general(*case) / 6 ** 0.5: "your scores are divided by sqrt(d). The bilinear score "
              "is q^T W k, with no scaling: the matrix W can learn any scale it needs.",
              lambda *case: torch.softmax(_general(*case), dim=-1): _SOFTMAX},
    hint="Row i, column j should be query[i] @ weight @ key[j]: try query @ weight @ key.T.",
    praise="One extra matrix W lets a query and a key of different widths (here 4 and 6) be compared.")

function_exercise(
    "4.5-additive-score", "The additive (concat) score", name="additive_score",
    cases=[(_QUERY[:q], _KEY[:k], _QUERY_WEIGHT, _KEY_WEIGHT, _V) for q, k in ((3, 5), (1, 2))],
    reference=_additive, atol=1e-6, describe=lambda *case: "additive_score(query, key, query_weight, key_weight, v)",
    mistakes={lambda *case: _additive(*case, squash=lambda x: x): "your scores have no tanh: without it, "
              "v^T (W_q q + W_k k) is a sum of one term for the query and one for the key, and the query's term "
              "is the same for every key, so it cannot change the weights.",
              lambda *case: torch.softmax(_additive(*case), dim=-1): _SOFTMAX},
    hint="Project first (query @ query_weight.T is (n_queries, d_hidden)), add with a new axis on each side to "
         "get (n_queries, n_keys, d_hidden), then tanh, then @ v.",
    praise="The hidden tensor has one vector per (query, key) pair: n_queries x n_keys x d_hidden numbers, "
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
