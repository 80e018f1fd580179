"""Exercises of chapter 3, "Attention as addressing" (addressing.ipynb)."""

from __future__ import annotations

import torch

from ..kernel_regression import nadaraya_watson
from .core import Incorrect, as_tensor, call, choice_exercise, exercise, expect_close

_generator = torch.Generator().manual_seed(31)
_KEY_X = torch.sort(torch.rand(12, generator=_generator, dtype=torch.float64) * 4).values
_VALUES = torch.sin(_KEY_X) + 0.3 * torch.randn(12, generator=_generator, dtype=torch.float64)
_QUERY_X = torch.tensor([0.3, 1.1, 2.0, 2.7, 3.9], dtype=torch.float64)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, atol=1e-5, rtol=1e-5)


@exercise("3.1-nadaraya-watson", "The Nadaraya–Watson estimator")
def _(answer):
    for bandwidth in (0.3, 0.8):
        expected, weights = nadaraya_watson(_QUERY_X, _KEY_X, _VALUES, bandwidth)
        result = as_tensor(call(answer, _QUERY_X.clone(), _KEY_X.clone(), _VALUES.clone(), bandwidth),
                           "your prediction", shape=(len(_QUERY_X),))
        if _close(result, expected):
            continue
        distance = _QUERY_X[:, None] - _KEY_X[None, :]
        if _close(result, nadaraya_watson(_QUERY_X, _KEY_X, _VALUES, bandwidth / 2 ** 0.5)[0]):
            raise Incorrect("your scores are -(x - x_i)² / h²: the Gaussian kernel divides by 2h², not h².")
        if _close(result, nadaraya_watson(_QUERY_X, _KEY_X, _VALUES, bandwidth ** 0.5)[0]):
            raise Incorrect("you divided by 2h instead of 2h²: square the bandwidth too.")
        if _close(result, torch.softmax((distance ** 2) / (2 * bandwidth ** 2), dim=1) @ _VALUES):
            raise Incorrect("the scores need a minus sign: near points must score *higher*, so the score is "
                            "-(x - x_i)² / 2h².")
        if _close(result, torch.softmax(-distance.abs() / (2 * bandwidth ** 2), dim=1) @ _VALUES):
            raise Incorrect("you used the distance |x - x_i|; the Gaussian kernel uses its square.")
        if _close(result, torch.exp(-distance ** 2 / (2 * bandwidth ** 2)) @ _VALUES):
            raise Incorrect("the kernel values are not normalised: divide by their sum over the training "
                            "points (a softmax does both steps at once).")
        if _close(result, _VALUES[weights.argmax(dim=1)]):
            raise Incorrect("you returned the target of the nearest point (a hard read); the estimator "
                            "averages all targets under the weights.")
        expect_close(result, expected, "your prediction",
                     hint="scores = -(query_x[:, None] - key_x[None, :])**2 / (2 * bandwidth**2), "
                          "weights = softmax over the keys, prediction = weights @ values.")
    return ("Scores from the distance, a softmax over the keys, a weighted average of the values: the "
            "same three steps as a key-value memory.")


choice_exercise(
    "3.1-bandwidth-limit", "Predict, then run: the smallest bandwidth",
    options=["its own target", "the nearest other point's target", "the mean of all targets"],
    answer="the nearest other point's target",
    praise="As h → 0 the softmax becomes an arg-max: 1-nearest-neighbour regression.",
    wrong={"its own target": "the leave-one-out mask hides each point's own target (the diagonal has "
                             "weight 0), so it cannot be copied.",
           "the mean of all targets": "that is the limit of a *large* bandwidth, where all weights become "
                                      "equal; a tiny bandwidth makes the weights sharper, not flatter."})
