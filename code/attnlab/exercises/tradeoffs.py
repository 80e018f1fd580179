"""Exercises of chapter 3, "What attention costs, and what it buys" (tradeoffs.ipynb)."""

from __future__ import annotations

from ..complexity import GATES, attention_parameters, cnn_parameters
from .core import function_exercise


def _expected(d: int, kind: str) -> int:
    return max(1, (GATES[kind] - 2) * d + 1)


def _except_at_one(formula):
    """A mistake that cannot be told apart where the answer is n = 1 (an Elman RNN's): there, the answer."""
    return lambda d, kind: formula(d, kind) if _expected(d, kind) > 1 else _expected(d, kind)


function_exercise(
    "3.2-crossover", "Where attention becomes the expensive layer", name="first_costlier_length",
    cases=[(d, kind) for d in (8, 64, 100) for kind in ("rnn", "gru", "lstm")], reference=_expected,
    atol=0.25, rtol=0.0, describe=lambda d, kind: f"first_costlier_length(d={d}, kind={kind!r})",
    mistakes={_except_at_one(lambda d, kind: _expected(d, kind) - 1): "for {call}: at that n the two layers need "
              "exactly the same FLOPs; the question asks where attention needs *more*."},
    hint="Compare 8nd² + 4n²d with gates · 4nd² (gates: rnn 1, gru 3, lstm 4) and solve for n. For an Elman RNN "
         "(kind='rnn') attention's projections alone (8nd²) already cost more than the RNN's 4nd², so the answer "
         "is n=1.",
    praise="Attention is cheaper than a recurrent layer with g weight blocks only while n ≤ (g − 2)·d.")


def _first_larger_kernel(d: int) -> int:
    return next(k for k in range(1, 100) if cnn_parameters(d, k) > attention_parameters(d))


def _tie(d: int) -> float:
    """The kernel size at which the convolution has exactly attention's parameters (else the answer)."""
    k = _first_larger_kernel(d) - 1
    return k if cnn_parameters(d, k) == attention_parameters(d) else k + 1


function_exercise(
    "3.2-kernel-width", "The widest convolution that is still cheaper", name="first_larger_kernel",
    cases=[(d,) for d in (64, 4, 2, 3, 1, 7)], reference=_first_larger_kernel, atol=0.25, rtol=0.0,
    describe=lambda d: f"first_larger_kernel(d={d})",
    mistakes={_tie: "for {call}: that k gives the convolution exactly as many parameters as attention; the "
              "question asks for *more*.",
              lambda d: 5: "for {call}: k=5 is right for wide layers, "
              "but not here: the biases matter when d is small. Compare k·d² + d with 4d² + 4d.",
              lambda d: 4: "for {call}: k=4 gives 4d² + d parameters, fewer than attention's 4d² + 4d: the biases "
              "tip the balance."},
    hint="Solve k·d² + d > 4d² + 4d for the smallest integer k (or search k = 1, 2, ... with the formulas).",
    praise="k > 4 + 3/d: width 5 for d ≥ 4, but 6 for d = 2 or 3 and 8 for d = 1.")
