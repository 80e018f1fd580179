"""Exercises of chapter 6, "Three sentence vectors" (sentence-vectors.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(62)
_BATCH, _N, _D, _D_K = 4, 6, 3, 5
_STATES = torch.randn(_BATCH, _N, _D, generator=_generator, dtype=torch.float64)
# sentence 0: every position; 1: right-padded, 3 words; 2: left-padded, 2 words; 3: no word at all
_MASK = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=torch.bool)
_QUERY = torch.randn(_BATCH, _D_K, generator=_generator, dtype=torch.float64)
_KEYS = 2 * torch.randn(_BATCH, _N, _D_K, generator=_generator, dtype=torch.float64)


def _masked_mean(states, mask, clamp=True, divide_by_n=False):
    words = mask.double().sum(1, keepdim=True)
    total = (mask.double().unsqueeze(-1) * states).sum(1)
    return total / (states.shape[1] if divide_by_n else words.clamp(min=1) if clamp else words)


function_exercise(
    "6.2-masked-mean", "The mean of the states, without the padding", name="my_masked_mean",
    cases=[(_STATES, _MASK)], reference=_masked_mean, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "my_masked_mean(states, mask)",
    mistakes={lambda *case: _masked_mean(*case, clamp=False): "the sentences with words are right; the one with no "
              "word gives 0/0 = NaN: divide by the number of words clamped to at least 1.",
              lambda states, mask: states.mean(1): "that is the mean over all positions, padding included: "
              "multiply by the mask before summing, and divide by the number of words.",
              lambda *case: _masked_mean(*case, divide_by_n=True): "the padding is left out of the sum, but you "
              "divided by the padded length n: divide by each sentence's number of words."},
    hint="(mask * states).sum(1) / mask.sum(1).clamp(min=1), with the mask as numbers, unsqueezed.",
    praise="Padding positions now count for nothing, whichever side they sit on.")


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
    "6.2-multi-query-readout", "Transfer: r queries and a penalty against redundancy", name="my_multi_query_readout",
    cases=[(_STATES[:3], _QUERIES, _KEYS[:3], _MASK[:3])],          # every sentence here has a word
    reference=_multi_query, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "my_multi_query_readout(states, queries, keys, mask)",
    parts=("sentence matrix", "weights", "penalty"),
    mistakes={lambda *case: (None, _multi_query(*case, dim=1)[1], None): "your weights sum to 1 over the queries; "
              "each query's weights must sum to 1 over the positions: softmax over the last axis.",
              lambda *case: _multi_query(*case, masked=False): "the padding gets weight: fill the scores of padding "
              "positions with -inf for every query, mask[:, None, :].",
              lambda *case: _multi_query(*case, scale=False): "the weights are unscaled: divide the scores by "
              "sqrt(d_k), as for one query.",
              lambda *case: (None, None, _multi_query(*case, minus_identity=False)[2]): "the penalty must be 0 when "
              "the r queries attend to r different positions: subtract the identity, ||A Aᵀ - I||², before the norm.",
              lambda *case: (None, None, _multi_query(*case, square=False)[2]): "the penalty is the SQUARED Frobenius "
              "norm, the sum of the squared entries of A Aᵀ - I: square the norm.",
              lambda *case: (None, None, _multi_query(*case, gram="columns")[2]): "A Aᵀ is (r, r), the overlap of "
              "every pair of queries; Aᵀ A is (n, n), the overlap of positions. Use weights @ weights.transpose(1, 2)."},
    hint="scores (batch, r, n) = queries @ keys.transpose(1, 2) / sqrt(d_k); mask with mask[:, None, :]; softmax over "
         "the positions; M = weights @ states; penalty = mean over the batch of ||A Aᵀ - I||² (Frobenius).",
    praise="With r rows the sentence becomes a matrix, one summary per query; the penalty is 0 only when every "
           "query puts all its weight on a position of its own, so it pushes the rows apart.")


number_exercise(
    "6.2-mean-share", "How much of the mean has seen the symbol?", answer=(9 + 1) / 100, tolerance=1e-9,
    praise="10 of the 100 states have seen the symbol, so 90% of the mean's weight is on states that know "
           "nothing of it: the dilution that makes the mean weakest near the end.",
    hint="The symbol is at position 100 - 1 - 9; count the positions from there to the end, each weighing 1/100.",
    wrong={0.09: "off by one: the state at the symbol's own position has seen it too (positions 90 to 99).",
           0.9: "that is the share of the states that have NOT seen the symbol.",
           0.91: "that is the share of the states that have not seen it, off by one as well.",
           10: "that is the number of states; the question asks for their share of the weight (each weighs 1/100)."})
