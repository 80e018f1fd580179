"""Exercises of chapter 3, "Attention as addressing" (addressing.ipynb)."""

from __future__ import annotations

import torch

from ..memory import soft_read
from .core import Incorrect, as_choice, as_tensor, call, exercise, expect_close

_generator = torch.Generator().manual_seed(31)
_KEYS = torch.randn(5, 4, generator=_generator, dtype=torch.float64)
_VALUES = torch.randn(5, 3, generator=_generator, dtype=torch.float64) + 2.0
_QUERY = _KEYS[2] + 0.3 * torch.randn(4, generator=_generator, dtype=torch.float64)


@exercise("3.1-soft-read", "Write the three steps")
def _(answer):
    for temperature in (0.5, 2.0):
        expected, weights = soft_read(_QUERY, _KEYS, _VALUES, temperature)
        result = as_tensor(call(answer, _QUERY.clone(), _KEYS.clone(), _VALUES.clone(), temperature),
                           "your read value", shape=(3,))
        scores = _KEYS @ _QUERY / temperature
        if torch.allclose(result, expected, atol=1e-5, rtol=1e-5):
            continue
        if torch.allclose(result, soft_read(_QUERY, _KEYS, _VALUES, 1.0)[0], atol=1e-5, rtol=1e-5):
            raise Incorrect(f"your read is right for temperature 1 but not for temperature {temperature}: "
                            f"divide the scores by the temperature before the softmax.")
        if torch.allclose(result, scores @ _VALUES, atol=1e-5, rtol=1e-5):
            raise Incorrect("you averaged the values with the raw scores: step 2 (the softmax) is missing, "
                            "so the weights are not a distribution.")
        if torch.allclose(result, (_KEYS * weights[:, None]).sum(0)[:3], atol=1e-5, rtol=1e-5) or \
                torch.allclose(result, (weights @ _KEYS)[:3], atol=1e-5, rtol=1e-5):
            raise Incorrect("you averaged the keys; step 3 averages the values.")
        if torch.allclose(result, _VALUES[weights.argmax()], atol=1e-5, rtol=1e-5):
            raise Incorrect("you returned the value of the best key (a hard read); "
                            "the soft read averages all the values under the weights.")
        expect_close(result, expected, "your read value",
                     hint="Check each step: scores = keys @ query / temperature, alpha = softmax(scores), "
                          "read = alpha @ values.")
    return "Scores, distribution, weighted average: that is all attention is."


@exercise("3.1-bandwidth-limit", "Predict, then run: the smallest bandwidth")
def _(answer):
    options = ["its own target", "the nearest other point's target", "the mean of all targets"]
    if answer is None:
        raise Incorrect(f"smallest_bandwidth_prediction is still None: set it to one of the strings {options}.")
    choice = as_choice(answer, "your answer", options)
    if choice == options[0]:
        raise Incorrect("the leave-one-out mask hides each point's own target (the diagonal has "
                        "weight 0), so it cannot be copied.")
    if choice == options[2]:
        raise Incorrect("that is the limit of a *large* bandwidth, where all weights become equal; "
                        "a tiny bandwidth makes the weights sharper, not flatter.")
    return "As h → 0 the softmax becomes an arg-max: 1-nearest-neighbour regression."
