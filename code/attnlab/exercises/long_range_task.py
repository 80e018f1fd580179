"""Exercises of chapter 2, "A long-range task: CNN, LSTM and self-attention"."""

from .core import Incorrect, as_choice, exercise

_WHY_NOT = {
    "a": "more parameters do not help: no window of the receptive field holds both letters, "
         "however many channels it has.",
    "c": "it does tell letters from digits: at length 8 it learns the task. Look at what happens "
         "beyond its receptive field.",
    "d": "more epochs cannot add a term that sees both letters: the argument holds for any weights.",
}


@exercise("2.2-why-cnn-fails", "Why does the shallow CNN fail beyond 13 tokens?")
def _(answer):
    choice = as_choice(answer, "your answer", ["a", "b", "c", "d"])
    if choice != "b":
        raise Incorrect(f"not {choice}: {_WHY_NOT[choice]}")
    return "Mean pooling sums local terms; comparing two distant tokens needs a term that sees both."
