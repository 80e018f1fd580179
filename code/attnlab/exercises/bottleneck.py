"""Exercises of chapter 1, "The bottleneck" (bottleneck.ipynb)."""

from __future__ import annotations

import math

import torch

from .declarations import function_exercise, number_exercise

_CASES = [(4, 8), (1, 8), (16, 8), (10, 2), (3, 10), (32, 16)]  # the first tells every mistake apart


function_exercise(
    "1.2-bits", name="bits_needed", cases=_CASES, reference=lambda n, v: n * math.log2(v),
    describe=lambda n, v: f"bits_needed({n}, {v})", atol=1e-9, rtol=1e-6,
    mistakes={"natural-log": lambda n, v: n * math.log(v),
              "one-value": lambda n, v: math.log2(v),
              "values-not-bits": lambda n, v: n * v,
              "answer-tables": lambda n, v: v ** n})


def _gru_parameters(d_in: int, d: int) -> int:
    return sum(p.numel() for p in torch.nn.GRU(d_in, d).parameters())


_D_IN, _D = 32, 128
number_exercise(
    "1.2-gru-parameters", answer=_gru_parameters(_D_IN, _D),
    wrong={"no-biases": 3 * (_D_IN * _D + _D * _D),
           "one-bias": 3 * (_D_IN * _D + _D * _D + _D),
           "one-gate": _D_IN * _D + _D * _D + 2 * _D,
           "four-gates": 4 * (_D_IN * _D + _D * _D + 2 * _D),
           "state-weights-only": 3 * _D * _D})


