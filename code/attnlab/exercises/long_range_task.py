"""Exercises of chapter 2, "A long-range task: CNN, LSTM and self-attention"."""

import math

import torch

from ..positional import sinusoidal_encoding
from .core import choice_exercise, function_exercise

choice_exercise(
    "2.2-why-cnn-fails", "Why does the shallow CNN fail beyond 13 tokens?",
    options=["a", "b", "c", "d", "e"], answer="b",
    praise="Mean pooling sums local terms, and a sum of one term per letter cannot test whether two "
           "letters are equal: the best such sum rule is right 3 times in 4 (75%), and the loss "
           "the CNN is trained on does not even lead it there.",
    wrong={
        "a": "more channels do not help: every channel of every output still sees one window of 13 tokens, "
             "and no such window holds both letters.",
        "c": "the zero padding does not hide the letters: at length 8 the same network, with the same "
             "padding, learns the task.",
        "d": "more epochs cannot add a term that sees both letters: the argument holds for any weights, "
             "so no amount of training lifts it above the best sum rule, 75%; and the cross-entropy "
             "it is trained on is lowest, among sum rules, for a constant answer (each letter alone "
             "says nothing about the label), so training heads for chance, not for 75%.",
        "e": "the 1/n of the mean is a constant for a given length, which the linear layer can undo by "
             "scaling its weights; the trouble is what each term of the sum can see.",
    })


def _wrong_encodings(n_positions: int, d_model: int) -> list[torch.Tensor]:
    """The typical wrong encodings, in the order of :data:`_WRONG`."""
    positions = torch.arange(n_positions, dtype=torch.float64)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float64)
    right = sinusoidal_encoding(n_positions, d_model).double()
    swapped = torch.zeros_like(right)
    swapped[:, 0::2], swapped[:, 1::2] = right[:, 1::2], right[:, 0::2]
    halves = torch.cat([right[:, 0::2], right[:, 1::2]], dim=1)
    one_based = sinusoidal_encoding(n_positions + 1, d_model).double()[1:]
    per_column = torch.exp(-math.log(10000.0) * torch.arange(d_model, dtype=torch.float64) / d_model)
    per_column_enc = torch.where(torch.arange(d_model) % 2 == 0, torch.sin(positions * per_column),
                                 torch.cos(positions * per_column))
    inverted = torch.zeros_like(right)
    inverted[:, 0::2] = torch.sin(positions * 10000.0 ** (i / d_model))
    inverted[:, 1::2] = torch.cos(positions * 10000.0 ** (i / d_model))
    return [swapped, halves, one_based, per_column_enc, inverted]


_WRONG = ["sine and cosine are swapped: even columns (0, 2, ...) hold the sine, odd columns the cosine.",
          "the sines and cosines must interleave (column 2i sine, column 2i + 1 cosine), not sit in two halves.",
          "positions start at 0, so row 0 is sin(0) = 0 and cos(0) = 1.",
          "columns 2i and 2i + 1 share one frequency, 1 / 10000^(2i / d_model); you gave each column its own.",
          "the frequency is 1 / 10000^(2i / d_model): divide the position by the power, don't multiply."]

function_exercise(
    "2.2-sinusoidal", "The sinusoidal position vectors", name="my_sinusoidal", cases=[(7, 6), (50, 16)],
    reference=lambda n, d: sinusoidal_encoding(n, d).double(),
    describe=lambda n, d: f"my_sinusoidal({n}, {d})",
    mistakes={(lambda n, d, k=k: _wrong_encodings(n, d)[k]): "for {call}: " + message
              for k, message in enumerate(_WRONG)},
    hint="Row pos, column 2i: sin(pos / 10000^(2i / d_model)); column 2i + 1: the cosine of the same angle.",
    praise="Every position gets its own vector, and the same weights of the attention layer can then read "
           "where a token sits, at any length.")
