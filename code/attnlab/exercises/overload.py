"""Exercises of chapter 1, "Information overload" (overload.ipynb)."""

from __future__ import annotations

from .core import Incorrect, as_choice, exercise

OPTIONS = ["more parameters", "selection", "easier digits"]


@exercise("1.3-why-flat", "Why does attention not suffer from the distractors?")
def _(answer):
    if answer is None:
        raise Incorrect('You have not answered yet: set answer to "more parameters", "selection" or '
                        '"easier digits".')
    choice = as_choice(answer, "your answer", OPTIONS)
    if choice == "more parameters":
        raise Incorrect("The attention model has only one extra d_model x d_model projection; the "
                        "parameter counts printed in the notebook differ by less than a tenth, while the "
                        "accuracies differ several-fold at 16 items.")
    if choice == "easier digits":
        raise Incorrect("Every display draws its digits from the same pool, so a large display has "
                        "the same digits as a small one, just more of them.")
    return ("The question picks the one item that matters, so the vector passed on only has to "
            "carry that item, however many there are.")
