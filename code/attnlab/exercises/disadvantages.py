"""Exercises of chapter 3, "The disadvantages, measured" (disadvantages.ipynb)."""

from __future__ import annotations

from .core import Incorrect, as_number, exercise


@exercise("3.3-score-variance", "Predict, then run: the variance of a score")
def _(answer):
    if answer is None:
        raise Incorrect("score_variance is still None: replace None by your prediction, a number.")
    value = as_number(answer, "your predicted variance")
    if abs(value - 256) <= 0.02 * 256:
        return "Independent terms: their variances add, so Var(q·k) = d = 256 and the standard deviation is 16."
    if abs(value - 16) < 0.5:
        raise Incorrect("16 is the standard deviation of q·k, the square root of its variance.")
    if abs(value - 1) < 0.05:
        raise Incorrect("1 is the variance *after* dividing by √d; the question asks about the unscaled score.")
    if abs(value) < 0.05:
        raise Incorrect("0 is the *mean* of q·k (each term has mean 0); its spread is not zero.")
    if abs(value - 256 ** 2) < 0.02 * 256 ** 2:
        raise Incorrect("the variance grows with d, not d²: the d products are independent, so their "
                        "variances (1 each) add up.")
    raise Incorrect(f"{value:g} is not it. Each product q_j k_j has mean 0 and variance 1, and the d = 256 "
                    f"products are independent: what is the variance of their sum?")
