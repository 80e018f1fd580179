"""Exercises of chapter 6, "Three sentence vectors" (sentence-vectors.ipynb)."""

from __future__ import annotations

import math

import torch

from .declarations import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(62)
_BATCH, _N, _D, _D_K = 4, 6, 3, 5
_STATES = torch.randn(_BATCH, _N, _D, generator=_generator, dtype=torch.float64)
# sentence 0: every position; 1: right-padded, 3 words; 2: left-padded, 2 words; 3: no word at all
_MASK = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=torch.bool)
_KEYS = 2 * torch.randn(_BATCH, _N, _D_K, generator=_generator, dtype=torch.float64)


def _masked_mean(states, mask, clamp=True, divide_by_n=False):
    words = mask.double().sum(1, keepdim=True)
    total = (mask.double().unsqueeze(-1) * states).sum(1)
    return total / (states.shape[1] if divide_by_n else words.clamp(min=1) if clamp else words)


function_exercise(
    "6.2-masked-mean", name="my_masked_mean", cases=[(_STATES, _MASK)], reference=_masked_mean,
    describe=lambda *case: "my_masked_mean(states, mask)", atol=1e-6, rtol=1e-6,
    mistakes={"no-clamp": lambda *case: _masked_mean(*case, clamp=False),
              "padding-included": lambda states, mask: states.mean(1),
              "divided-by-n": lambda *case: _masked_mean(*case, divide_by_n=True)})


_QUERIES = torch.randn(3, _D_K, generator=_generator, dtype=torch.float64)     # r = 3 queries, shared by the batch


def _multi_query(states, queries, keys, mask, scale=True, masked=True, dim=-1, minus_identity=True, square=True,
                 gram="rows"):
    scores = queries @ keys.transpose(1, 2) / (math.sqrt(keys.shape[-1]) if scale else 1.0)   # (batch, r, n)
    weights = torch.softmax(scores.masked_fill(~mask[:, None], float("-inf")) if masked else scores, dim=dim)
    gram_matrix = weights @ weights.transpose(1, 2) if gram == "rows" else weights.transpose(1, 2) @ weights
    eye = torch.eye(gram_matrix.shape[-1], dtype=weights.dtype) if minus_identity else 0.0
    norm = (gram_matrix - eye).flatten(1).norm(dim=1)
    return weights @ states, weights, (norm ** 2 if square else norm).mean()


function_exercise(
    "6.2-multi-query-readout", name="my_multi_query_readout", cases=[(_STATES[:3], _QUERIES, _KEYS[:3], _MASK[:3])],
    reference=_multi_query, describe=lambda *case: "my_multi_query_readout(states, queries, keys, mask)",
    parts=("sentence matrix", "weights", "penalty"), atol=1e-6, rtol=1e-6,
    mistakes={"softmax-over-queries": lambda *case: (None, _multi_query(*case, dim=1)[1], None),
              "no-mask": lambda *case: _multi_query(*case, masked=False),
              "unscaled": lambda *case: _multi_query(*case, scale=False),
              "no-identity": lambda *case: (None, None, _multi_query(*case, minus_identity=False)[2]),
              "unsquared": lambda *case: (None, None, _multi_query(*case, square=False)[2]),
              "transposed-gram": lambda *case: (None, None, _multi_query(*case, gram="columns")[2])})


number_exercise(
    "6.2-mean-share", answer=(9 + 1) / 100, tolerance=1e-9,
    wrong={"off-by-one": 0.09,
           "unseen-share": 0.9,
           "unseen-off-by-one": 0.91,
           "count-not-share": 10})
