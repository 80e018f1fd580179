"""Exercises of chapter 5, "Pooling is attention" (pooling.ipynb)."""

from __future__ import annotations

import math

import torch

from ..pooling import mean_pool, softmax_pool
from .core import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(51)
_FEATURES = torch.randn(3, 6, 4, generator=_generator, dtype=torch.float64) * 1.5  # (batch, seq_len, channels)
_MASK = torch.arange(6)[None, :] < torch.tensor([6, 4, 1])[:, None]                # (batch, seq_len)
_TEMPERATURES = (2.0, 0.5, 0.05)


def _over_channels(features, temperature, mask):
    weights = torch.softmax((features / temperature).masked_fill(~mask[..., None], float("-inf")), dim=2)
    return (weights.nan_to_num(0.0) * features).sum(dim=1)


function_exercise(
    "5.1-masked-softmax-pool", "Softmax pooling with a padding mask", name="my_masked_softmax_pool",
    cases=[(_FEATURES, t, _MASK) for t in _TEMPERATURES], reference=lambda *case: softmax_pool(*case)[0],
    atol=1e-5, rtol=1e-5, describe=lambda f, t, m: f"my_masked_softmax_pool(features, temperature={t:g}, mask)",
    mistakes={lambda f, t, m: softmax_pool(f, t)[0]: "padded positions still get weight: set their scores to -inf "
              "(e.g. with masked_fill(~mask[..., None], float('-inf'))) before the softmax.",
              lambda f, t, m: softmax_pool(f * m[..., None], t)[0]: "multiplying the features by the mask makes "
              "padded scores 0, not -inf: exp(0) = 1, so padding still gets weight.",
              _over_channels: "your softmax runs over the channels; it must run over the positions (dim=1), one "
              "distribution per channel.",
              lambda f, t, m: softmax_pool(f, 1.0, m)[0]: "your pooling ignores the temperature: the scores are "
              "features / temperature.",
              lambda f, t, m: softmax_pool(f, 1 / t, m)[0]: "your pooling multiplies by the temperature: the scores "
              "are features / temperature.",
              lambda f, t, m: mean_pool(f, m)[0]: "you returned the mean of the unmasked positions; weight them by "
              "the softmax of features / temperature."},
    hint="weights = softmax over dim=1 of (features / temperature) with padded positions at -inf; pooled = "
         "(weights * features).sum(dim=1).",
    praise="The checker tried T = 2, 0.5 and 0.05, with a sentence of one word: its only word takes all the weight "
           "in every channel, whatever the temperature.")


def _gradient(features, temperature, direct=True, through_weights=True, scale=True):
    """d pooled.sum() / d features for one sentence (seq_len, channels), and its typical slips."""
    pooled, weights = softmax_pool(features[None], temperature)
    w, centred = weights[0], features - pooled
    return w * (float(direct) + float(through_weights) * centred / (temperature if scale else 1.0))


function_exercise(
    "5.1-softmax-pool-gradient", "The gradient of softmax pooling, by hand", name="my_pooling_gradient",
    cases=[(_FEATURES[0], t) for t in (1.0, 0.3)], reference=_gradient, atol=1e-5, rtol=1e-5,
    describe=lambda f, t: f"my_pooling_gradient(features, temperature={t:g})",
    mistakes={lambda f, t: _gradient(f, t, through_weights=False): "you returned the weights alone. The weights "
              "depend on the features too: add the term weights * (features - pooled) / temperature.",
              lambda f, t: _gradient(f, t, scale=False): "the second term must be divided by the temperature.",
              lambda f, t: _gradient(f, t, direct=False): "that is only the gradient through the weights; the "
              "pooled value also depends on each feature directly (the term weights * 1)."},
    hint="d pooled_c / d features[i, c] = weights[i, c] * (1 + (features[i, c] - pooled_c) / T).",
    praise="Each channel's gradient sums to 1 over the positions, at every temperature: adding a constant to a "
           "channel adds it to the pooled value.")


number_exercise(
    "5.1-temperature-bound", "Predict: a temperature small enough",
    answer=math.e * 1e-3 / 49, tolerance=5e-7,
    wrong={1e-3 / 49: "you dropped the e: the bound gives each position at most T/e, so set "
                      "(n - 1) T / e = 1e-3.",
           math.e * 1e-3 / 50: "only n - 1 = 49 positions are not the maximum; the selected one "
                               "contributes 0 to the bound.",
           1e-3: "the bound grows with the number of positions: (n - 1) T / e, not T."},
    hint="Solve (n - 1) T / e = 1e-3 for T with n = 50 positions.",
    praise="At this temperature the bound guarantees that softmax pooling is within 1e-3 of max "
           "pooling on every input of 50 positions. The bound is not the worst case (its 49 "
           "terms cannot all peak at once, since their weights share one softmax), so a "
           "somewhat warmer temperature would also be safe; the bound gives one that is "
           "certainly safe.")
