"""Exercises of chapter 5, "Pooling is attention" (pooling.ipynb)."""

from __future__ import annotations

import math

import torch

from ..pooling import mean_pool, softmax_pool
from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(51)
_FEATURES = torch.randn(3, 6, 4, generator=_generator, dtype=torch.float64) * 1.5  # (batch, seq_len, channels)
_MASK = torch.arange(6)[None, :] < torch.tensor([6, 4, 1])[:, None]                # (batch, seq_len)
_TEMPERATURES = (2.0, 0.5, 0.05)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-5, rtol=1e-5)


@exercise("5.1-masked-softmax-pool", "Softmax pooling with a padding mask")
def _(answer):
    for temperature in _TEMPERATURES:
        expected = softmax_pool(_FEATURES, temperature, _MASK)[0]
        result = as_tensor(call(answer, _FEATURES.clone(), temperature, _MASK.clone()), "your pooled features",
                           shape=(3, 4))
        if _close(result, expected):
            continue
        unmasked = softmax_pool(_FEATURES, temperature)[0]
        if _close(result, unmasked):
            raise Incorrect("padded positions still get weight: set their scores to -inf (e.g. with "
                            "masked_fill(~mask[..., None], float('-inf'))) before the softmax.")
        zeroed = softmax_pool(_FEATURES * _MASK[..., None], temperature)[0]
        if _close(result, zeroed):
            raise Incorrect("multiplying the features by the mask makes padded scores 0, not -inf: exp(0) = 1, "
                            "so padding still gets weight.")
        over_channels = torch.softmax((_FEATURES / temperature).masked_fill(~_MASK[..., None], float("-inf")),
                                      dim=2).nan_to_num(0.0)
        if _close(result, (over_channels * _FEATURES).sum(dim=1)):
            raise Incorrect("your softmax runs over the channels; it must run over the positions (dim=1), "
                            "one distribution per channel.")
        for wrong_t, what in ((1.0, "ignores the temperature"), (1 / temperature, "multiplies by the temperature")):
            if _close(result, softmax_pool(_FEATURES, wrong_t, _MASK)[0]):
                raise Incorrect(f"your pooling {what}: the scores are features / temperature.")
        if _close(result, mean_pool(_FEATURES, _MASK)[0]):
            raise Incorrect("you returned the mean of the unmasked positions; weight them by the softmax of "
                            "features / temperature.")
        expect_close(result, expected, "your pooled features",
                     hint="weights = softmax over dim=1 of (features / temperature) with padded positions "
                          "at -inf; pooled = (weights * features).sum(dim=1).")
    return ("The checker tried T = 2, 0.5 and 0.05, with a sentence of one word: its only word takes all "
            "the weight in every channel, whatever the temperature.")


@exercise("5.1-softmax-pool-gradient", "The gradient of softmax pooling, by hand")
def _(answer):
    for temperature in (1.0, 0.3):
        features = _FEATURES[0].clone().requires_grad_()                    # (seq_len, channels)
        pooled, weights = softmax_pool(features.unsqueeze(0), temperature)
        (expected,) = torch.autograd.grad(pooled.sum(), features)
        result = as_tensor(call(answer, _FEATURES[0].clone(), temperature), "your gradient", shape=(6, 4))
        if _close(result, expected):
            continue
        w = weights[0].detach()
        if _close(result, w):
            raise Incorrect("you returned the weights alone. The weights depend on the features too: "
                            "add the term weights * (features - pooled) / temperature.")
        if _close(result, w * (1 + (_FEATURES[0] - pooled.detach()))):
            raise Incorrect("the second term must be divided by the temperature.")
        if _close(result, w * (_FEATURES[0] - pooled.detach()) / temperature):
            raise Incorrect("that is only the gradient through the weights; the pooled value also depends on "
                            "each feature directly (the term weights * 1).")
        expect_close(result, expected, "your gradient",
                     hint="d pooled_c / d features[i, c] = weights[i, c] * (1 + (features[i, c] - pooled_c) / T).")
    return ("Each channel's gradient sums to 1 over the positions, at every temperature: adding a constant "
            "to a channel adds it to the pooled value.")


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
