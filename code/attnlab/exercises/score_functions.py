"""Exercises of chapter 4, "Score functions" (score-functions.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise, number_exercise

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


function_exercise(
    "4.5-general-score", name="general_score", cases=[(_QUERY, _KEY, _WEIGHT)], reference=_general,
    describe=lambda *case: "general_score(query, key, weight)", atol=1e-6,
    mistakes={"scaled": lambda *case: _general(*case) / 6 ** 0.5,
              "softmax": lambda *case: torch.softmax(_general(*case), dim=-1)})

function_exercise(
    "4.5-additive-score", name="additive_score",
    cases=[(_QUERY[:q], _KEY[:k], _QUERY_WEIGHT, _KEY_WEIGHT, _V) for q, k in ((3, 5), (1, 2))],
    reference=_additive, describe=lambda *case: "additive_score(query, key, query_weight, key_weight, v)",
    atol=1e-6,
    mistakes={"no-tanh": lambda *case: _additive(*case, squash=lambda x: x),
              "softmax": lambda *case: torch.softmax(_additive(*case), dim=-1)})


number_exercise(
    "4.5-dot-variance", answer=64, tolerance=0.5,
    wrong={"scaled": 1,
           "standard-deviation": 8,
           "correlated": 4096})
