"""Exercises of chapter 2, "Dynamic weights: self-attention computes its connections from the input"."""

import math

import torch

from .core import function_exercise, number_exercise


def _case(n: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=generator)
    return x, torch.randn(4, 3, generator=generator), torch.randn(4, 3, generator=generator)


def _weights(x, w_query, w_key, scale=True, dim=-1):
    scores = (x @ w_query) @ (x @ w_key).T
    return torch.softmax(scores / math.sqrt(w_key.shape[1]) if scale else scores, dim=dim)


function_exercise(
    "2.3-attention-weights", "Compute the weights from the input", name="self_attention_weights",
    cases=[_case(5, 0), _case(9, 1)], reference=_weights,
    describe=lambda x, w_query, w_key: f"self_attention_weights(x, w_query, w_key) for n={len(x)}",
    mistakes={lambda *case: _weights(*case, scale=False): "for {call}: divide the scores by sqrt(d_k) before "
              "the softmax.",
              lambda *case: _weights(*case, dim=0): "for {call}: take the softmax over the keys (dim=-1): each row "
              "must sum to 1.",
              lambda x, w_query, w_key: _weights(x, w_key, w_query): "for {call}: the query comes from w_query and "
              "the key from w_key; you swapped them."},
    hint="Compute Q = x @ w_query and K = x @ w_key, then softmax(Q K^T / sqrt(d_k)).",
    praise="The same two matrices gave a 5 x 5 and a 9 x 9 set of weights: nothing in them depends on n.")


_PADDED_LENGTH, _WIDTH, _HIDDEN = 512, 8, 32

number_exercise(
    "2.3-padding-count", "Padding the fully connected layer",
    answer=_PADDED_LENGTH * _WIDTH * _HIDDEN + _HIDDEN,
    praise="131,104 parameters in one layer, for one maximum length; self-attention's do not depend on n.",
    hint="nn.Linear(512 * 8, 32) has (inputs x outputs) weights plus one bias per output.",
    wrong={_PADDED_LENGTH * _WIDTH * _HIDDEN: "you counted the weights; add the 32 biases.",
           _PADDED_LENGTH * _HIDDEN + _HIDDEN: "each of the 512 positions brings 8 embedding values, so 512 x 8 inputs.",
           _PADDED_LENGTH * _WIDTH + _HIDDEN: "every one of the 512 x 8 inputs has a weight to each of the 32 hidden "
                                              "units."})
