"""Exercises of chapter 6, "Three sentence vectors" (sentence-vectors.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(62)
_BATCH, _N, _D, _D_K = 4, 6, 3, 5
_STATES = torch.randn(_BATCH, _N, _D, generator=_generator, dtype=torch.float64)
# sentence 0: every position; 1: right-padded, 3 words; 2: left-padded, 2 words; 3: no word at all
_MASK = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=torch.bool)
_QUERY = torch.randn(_BATCH, _D_K, generator=_generator, dtype=torch.float64)
_KEYS = 2 * torch.randn(_BATCH, _N, _D_K, generator=_generator, dtype=torch.float64)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _weighted(weights: torch.Tensor) -> torch.Tensor:
    return (weights.unsqueeze(-1) * _STATES).sum(1)


@exercise("6.2-masked-mean", "The mean of the states, without the padding")
def _(answer):
    weights = _MASK.double()
    expected = _weighted(weights) / weights.sum(1, keepdim=True).clamp(min=1)
    result = call(answer, _STATES.clone(), _MASK.clone())
    if isinstance(result, torch.Tensor) and result.shape == (_BATCH, _D) and torch.isnan(result[3]).all() \
            and _close(result[:3], expected[:3]):
        raise Incorrect("the sentences with words are right; the one with no word gives 0/0 = NaN: divide by "
                        "the number of words clamped to at least 1.")
    result = as_tensor(result, "your mean", shape=(_BATCH, _D))
    if _close(result, expected):
        return "Padding positions now count for nothing, whichever side they sit on."
    if _close(result, _STATES.mean(1)):
        raise Incorrect("that is the mean over all positions, padding included: multiply by the mask before "
                        "summing, and divide by the number of words.")
    if _close(result, _weighted(weights) / _N):
        raise Incorrect("the padding is left out of the sum, but you divided by the padded length n: divide by "
                        "each sentence's number of words.")
    expect_close(result, expected, "your mean",
                 hint="(mask * states).sum(1) / mask.sum(1).clamp(min=1), with the mask as numbers, unsqueezed.")
    return ""


@exercise("6.2-attention-readout", "The attention read-out")
def _(answer):
    mask = _MASK[:3]                                                 # every sentence here has a word
    scores = (_KEYS[:3] @ _QUERY[:3].unsqueeze(-1)).squeeze(-1)
    states = _STATES[:3]

    def read(raw, masked=True, dim=1):
        weights = torch.softmax(raw.masked_fill(~mask, float("-inf")) if masked else raw, dim=dim)
        return (weights.unsqueeze(-1) * states).sum(1), weights

    expected, expected_weights = read(scores / math.sqrt(_D_K))
    result = call(answer, states.clone(), _QUERY[:3].clone(), _KEYS[:3].clone(), mask.clone())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("return the pair (sentence_vectors, weights)" +
                        ("; your function returned None." if result is None else f", not a {type(result).__name__}."))
    output = as_tensor(result[0], "your sentence vectors", shape=(3, _D))
    weights = as_tensor(result[1], "your weights", shape=(3, _N))
    if _close(output, expected) and _close(weights, expected_weights):
        return "Each sentence vector is a convex combination of its own words' states; padding gets weight 0."
    if _close(weights, read(scores)[1]):
        raise Incorrect("the weights are unscaled: divide the scores by sqrt(d_k) before the softmax.")
    if _close(weights, read(scores / math.sqrt(_D_K), masked=False)[1]):
        raise Incorrect("the padding gets weight: fill the scores of padding positions with -inf before the softmax.")
    if not torch.allclose(weights.sum(1), torch.ones(3, dtype=torch.float64), atol=1e-6):
        raise Incorrect("your weights do not sum to 1 over the positions of each sentence: take the softmax over "
                        "dim=1 (the positions), not over the batch.")
    if _close(weights, expected_weights):
        raise Incorrect("the weights are right; the sentence vector is the weighted sum of the states (the values), "
                        "summed over the positions.")
    expect_close(weights, expected_weights, "your weights",
                 hint="scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / sqrt(d_k); masked softmax over dim 1.")
    return ""


number_exercise(
    "6.2-mean-share", "How much of the mean has seen the symbol?", answer=(9 + 1) / 100, tolerance=1e-9,
    praise="10 of the 100 states have seen the symbol, so 90% of the mean's weight is on states that know "
           "nothing of it: the dilution that makes the mean weakest near the end.",
    hint="The symbol is at position 100 - 1 - 9; count the positions from there to the end, each weighing 1/100.",
    wrong={0.09: "off by one: the state at the symbol's own position has seen it too (positions 90 to 99).",
           0.9: "that is the share of the states that have NOT seen the symbol.",
           0.91: "that is the share of the states that have not seen it, off by one as well.",
           10: "that is the number of states; the question asks for their share of the weight (each weighs 1/100)."})
