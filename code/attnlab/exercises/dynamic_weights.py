"""Exercises of chapter 2, "Dynamic weights: self-attention computes its connections from the input"."""

import math

import torch

from .declarations import function_exercise, number_exercise


def _case(n: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=generator)
    return x, torch.randn(4, 3, generator=generator), torch.randn(4, 3, generator=generator)


def _weights(x, w_query, w_key, scale=True, dim=-1):
    scores = (x @ w_query) @ (x @ w_key).T
    return torch.softmax(scores / math.sqrt(w_key.shape[1]) if scale else scores, dim=dim)


function_exercise(
    "2.3-attention-weights", name="self_attention_weights", cases=[_case(5, 0), _case(9, 1)], reference=_weights,
    describe=lambda x, w_query, w_key: f"self_attention_weights(x, w_query, w_key) for n={len(x)}",
    mistakes={"unscaled": lambda *case: _weights(*case, scale=False),
              "over-queries": lambda *case: _weights(*case, dim=0),
              "swapped": lambda x, w_query, w_key: _weights(x, w_key, w_query)})


_PADDED_LENGTH, _WIDTH, _HIDDEN = 512, 8, 32

number_exercise(
    "2.3-padding-count", answer=_PADDED_LENGTH * _WIDTH * _HIDDEN + _HIDDEN,
    wrong={"no-biases": _PADDED_LENGTH * _WIDTH * _HIDDEN,
           "one-input-per-position": _PADDED_LENGTH * _HIDDEN + _HIDDEN,
           "one-hidden-unit": _PADDED_LENGTH * _WIDTH + _HIDDEN})
