"""Exercises of chapter 1, "The bottleneck" (bottleneck.ipynb)."""

from __future__ import annotations

import math

from .core import Incorrect, as_number, call, exercise

_CASES = [(1, 8), (4, 8), (16, 8), (10, 2), (3, 10), (32, 16)]


_MISTAKES = [
    (lambda n, v: n * math.log(v), "You used the natural logarithm, which counts nats. A bit is a yes/no "
                                   "answer: use math.log2."),
    (lambda n, v: math.log2(v), "That is the information in ONE value. The final state must hold every "
                                "pair's value, since any key may be asked."),
    (lambda n, v: n * v, "n_pairs * n_values counts possible values, not bits. One value out of "
                         "n_values carries log2(n_values) bits."),
    (lambda n, v: v ** n, "n_values ** n_pairs is the number of different answer tables; the bits "
                          "needed to tell them apart is its log2."),
]


def _matches(formula, answers) -> bool:
    return all(math.isclose(got, formula(n, v), rel_tol=1e-6, abs_tol=1e-9)
               for (n, v), got in zip(_CASES, answers))


@exercise("1.2-bits", "How many bits must the final state hold?")
def _(answer):
    answers = [as_number(call(answer, n, v, name="bits_needed"), f"bits_needed({n}, {v})") for n, v in _CASES]
    if _matches(lambda n, v: n * math.log2(v), answers):
        return "It grows linearly with the number of pairs: a fixed-size state must run out."
    for formula, message in _MISTAKES:
        if _matches(formula, answers):
            raise Incorrect(message)
    (n, v), got = next(((case, got) for case, got in zip(_CASES, answers)
                        if not math.isclose(got, case[0] * math.log2(case[1]), rel_tol=1e-6)))
    raise Incorrect(f"bits_needed({n}, {v}) returned {got:g}, but it should be {n * math.log2(v):g}.")
