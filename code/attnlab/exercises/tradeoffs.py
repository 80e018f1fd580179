"""Exercises of chapter 3, "What attention costs, and what it buys" (tradeoffs.ipynb)."""

from __future__ import annotations

from ..complexity import GATES, attention_parameters, cnn_parameters
from .core import Incorrect, as_number, call, exercise


def _expected(d: int, kind: str) -> int:
    return max(1, (GATES[kind] - 2) * d + 1)


@exercise("3.2-crossover", "Where attention becomes the expensive layer")
def _(answer):
    for d in (8, 64, 100):
        for kind in ("rnn", "gru", "lstm"):
            result = as_number(call(answer, d, kind), f"your length for d={d}, kind={kind!r}")
            expected = _expected(d, kind)
            if result == expected:
                continue
            if result == expected - 1 and expected > 1:
                raise Incorrect(f"for d={d}, kind={kind!r} you gave n={result:g}, where the two layers need "
                                f"exactly the same FLOPs; the question asks where attention needs *more*.")
            if kind == "rnn":
                raise Incorrect(f"for an Elman RNN (kind='rnn') you gave n={result:g}; attention's projections "
                                f"alone (8nd²) already cost more than the RNN's 4nd², so the answer is n=1.")
            raise Incorrect(f"for d={d}, kind={kind!r} you gave n={result:g}, but the answer is different. Compare "
                            f"8nd² + 4n²d with gates · 4nd² (gates: rnn 1, gru 3, lstm 4) and solve for n.")
    return "Attention is cheaper than a recurrent layer with g weight blocks only while n ≤ (g − 2)·d."


def _first_larger_kernel(d: int) -> int:
    return next(k for k in range(1, 100) if cnn_parameters(d, k) > attention_parameters(d))


@exercise("3.2-kernel-width", "The widest convolution that is still cheaper")
def _(answer):
    for d in (64, 4, 2, 3, 1, 7):
        result = as_number(call(answer, d), f"your kernel size for d={d}")
        expected = _first_larger_kernel(d)
        if result == expected:
            continue
        if cnn_parameters(d, expected - 1) == attention_parameters(d) and result == expected - 1:
            raise Incorrect(f"for d={d}, k={result:g} gives the convolution exactly as many parameters as "
                            f"attention ({attention_parameters(d)}); the question asks for *more*.")
        if result == 5:
            raise Incorrect(f"k=5 is right for wide layers, but not for d={d}: the biases matter when d is "
                            f"small. Compare k·d² + d with 4d² + 4d at d={d}.")
        if result == 4:
            raise Incorrect(f"for d={d}, k=4 gives 4d² + d parameters, fewer than attention's 4d² + 4d: "
                            f"the biases tip the balance.")
        raise Incorrect(f"for d={d} you gave k={result:g}. Solve k·d² + d > 4d² + 4d for the smallest "
                        f"integer k (or search k = 1, 2, ... with the formulas).")
    return "k > 4 + 3/d: width 5 for d ≥ 4, but 6 for d = 2 or 3 and 8 for d = 1."
