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


def _readout(states, query, keys, mask, scale=True, masked=True, dim=1):
    scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / (math.sqrt(keys.shape[-1]) if scale else 1.0)
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")) if masked else scores, dim=dim)
    return (weights.unsqueeze(-1) * states).sum(1), weights


function_exercise(
    "6.2-attention-readout", "The attention read-out", name="my_attention_readout",
    cases=[(_STATES[:3], _QUERY[:3], _KEYS[:3], _MASK[:3])],          # every sentence here has a word
    reference=_readout, atol=1e-6, rtol=1e-6, describe=lambda *case: "my_attention_readout(states, query, keys, "
    "mask)", parts=("sentence vectors", "weights"),
    mistakes={lambda *case: _readout(*case, scale=False): "the weights are unscaled: divide the scores by sqrt(d_k) "
              "before the softmax.",
              lambda *case: _readout(*case, masked=False): "the padding gets weight: fill the scores of padding "
              "positions with -inf before the softmax.",
              lambda *case: _readout(*case, dim=0): "your weights do not sum to 1 over the positions of each "
              "sentence: take the softmax over dim=1 (the positions), not over the batch."},
    hint="scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / sqrt(d_k); a masked softmax over dim 1 (the "
         "positions); sentence vectors = (weights[..., None] * states).sum(1).",
    praise="Each sentence vector is a convex combination of its own words' states; padding gets weight 0.")


number_exercise(
    "6.2-mean-share", "How much of the mean has seen the symbol?", answer=(9 + 1) / 100, tolerance=1e-9,
    praise="10 of the 100 states have seen the symbol, so 90% of the mean's weight is on states that know "
           "nothing of it: the dilution that makes the mean weakest near the end.",
    hint="The symbol is at position 100 - 1 - 9; count the positions from there to the end, each weighing 1/100.",
    wrong={0.09: "off by one: the state at the symbol's own position has seen it too (positions 90 to 99).",
           0.9: "that is the share of the states that have NOT seen the symbol.",
           0.91: "that is the share of the states that have not seen it, off by one as well.",
           10: "that is the number of states; the question asks for their share of the weight (each weighs 1/100)."})
