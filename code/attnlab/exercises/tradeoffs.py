"""Exercises of chapter 3, "What attention costs, and what it buys" (tradeoffs.ipynb)."""

from __future__ import annotations

from ..complexity import GATES
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
