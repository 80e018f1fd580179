"""Exercises of chapter 3, "What attention costs, and what it buys" (tradeoffs.ipynb)."""

from __future__ import annotations

from ..complexity import GATES, attention_parameters, cnn_parameters
from .declarations import function_exercise


def _expected(d: int, kind: str) -> int:
    return max(1, (GATES[kind] - 2) * d + 1)


def _except_at_one(formula):
    """A mistake that cannot be told apart where the answer is n = 1 (an Elman RNN's): there, the answer."""
    return lambda d, kind: formula(d, kind) if _expected(d, kind) > 1 else _expected(d, kind)


function_exercise(
    "3.2-crossover", name="first_costlier_length",
    cases=[(d, kind) for d in (8, 64, 100) for kind in ("rnn", "gru", "lstm")], reference=_expected,
    describe=lambda d, kind: f"first_costlier_length(d={d}, kind={kind!r})", atol=0.25, rtol=0.0,
    mistakes={"tie": _except_at_one(lambda d, kind: _expected(d, kind) - 1)})


def _first_larger_kernel(d: int) -> int:
    return next(k for k in range(1, 100) if cnn_parameters(d, k) > attention_parameters(d))


def _tie(d: int) -> float:
    """The kernel size at which the convolution has exactly attention's parameters (else the answer)."""
    k = _first_larger_kernel(d) - 1
    return k if cnn_parameters(d, k) == attention_parameters(d) else k + 1


function_exercise(
    "3.2-kernel-width", name="first_larger_kernel", cases=[(d,) for d in (64, 4, 2, 3, 1, 7)],
    reference=_first_larger_kernel, describe=lambda d: f"first_larger_kernel(d={d})", atol=0.25, rtol=0.0,
    mistakes={"tie": _tie,
              "always-five": lambda d: 5,
              "always-four": lambda d: 4})
