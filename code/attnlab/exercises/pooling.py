"""Exercises of chapter 5, "Pooling is attention" (pooling.ipynb)."""

from __future__ import annotations

import math

import torch

from ..pooling import mean_pool, softmax_pool
from .declarations import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(51)
_FEATURES = torch.randn(3, 6, 4, generator=_generator, dtype=torch.float64) * 1.5  # (batch, seq_len, channels)
_MASK = torch.arange(6)[None, :] < torch.tensor([6, 4, 1])[:, None]                # (batch, seq_len)
_TEMPERATURES = (2.0, 0.5, 0.05)


def _over_channels(features, temperature, mask):
    weights = torch.softmax((features / temperature).masked_fill(~mask[..., None], float("-inf")), dim=2)
    return (weights.nan_to_num(0.0) * features).sum(dim=1)


function_exercise(
    "5.1-masked-softmax-pool", name="my_masked_softmax_pool", cases=[(_FEATURES, t, _MASK) for t in _TEMPERATURES],
    reference=lambda *case: softmax_pool(*case)[0],
    describe=lambda f, t, m: f"my_masked_softmax_pool(features, temperature={t:g}, mask)", atol=1e-5, rtol=1e-5,
    mistakes={"no-mask": lambda f, t, m: softmax_pool(f, t)[0],
              "mask-multiplied": lambda f, t, m: softmax_pool(f * m[..., None], t)[0],
              "over-channels": _over_channels,
              "no-temperature": lambda f, t, m: softmax_pool(f, 1.0, m)[0],
              "times-temperature": lambda f, t, m: softmax_pool(f, 1 / t, m)[0],
              "plain-mean": lambda f, t, m: mean_pool(f, m)[0]})


def _gradient(features, temperature, direct=True, through_weights=True, scale=True):
    """d pooled.sum() / d features for one sentence (seq_len, channels), and its typical slips."""
    pooled, weights = softmax_pool(features[None], temperature)
    w, centred = weights[0], features - pooled
    return w * (float(direct) + float(through_weights) * centred / (temperature if scale else 1.0))


function_exercise(
    "5.1-softmax-pool-gradient", name="my_pooling_gradient", cases=[(_FEATURES[0], t) for t in (1.0, 0.3)],
    reference=_gradient, describe=lambda f, t: f"my_pooling_gradient(features, temperature={t:g})", atol=1e-5,
    rtol=1e-5,
    mistakes={"no-through-weights": lambda f, t: _gradient(f, t, through_weights=False),
              "no-scale": lambda f, t: _gradient(f, t, scale=False),
              "no-direct": lambda f, t: _gradient(f, t, direct=False)})


number_exercise(
    "5.1-temperature-bound", answer=math.e * 1e-3 / 49, tolerance=5e-7,
    wrong={"no-e": 1e-3 / 49,
           "all-positions": math.e * 1e-3 / 50,
           "one-term": 1e-3})
