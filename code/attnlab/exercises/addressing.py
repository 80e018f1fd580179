"""Exercises of chapter 3, "Attention as addressing" (addressing.ipynb)."""

from __future__ import annotations

import torch

from ..kernel_regression import nadaraya_watson
from .core import choice_exercise, function_exercise

_generator = torch.Generator().manual_seed(31)
_KEY_X = torch.sort(torch.rand(12, generator=_generator, dtype=torch.float64) * 4).values
_VALUES = torch.sin(_KEY_X) + 0.3 * torch.randn(12, generator=_generator, dtype=torch.float64)
_QUERY_X = torch.tensor([0.3, 1.1, 2.0, 2.7, 3.9], dtype=torch.float64)


def _predict(query_x, key_x, values, bandwidth, kernel=lambda d, h: -d ** 2 / (2 * h ** 2)):
    """The estimator with another kernel (score of distance d at bandwidth h): a learner's slip."""
    return torch.softmax(kernel(query_x[:, None] - key_x[None, :], bandwidth), dim=1) @ values


function_exercise(
    "3.1-nadaraya-watson", "The Nadaraya–Watson estimator", name="my_nadaraya_watson",
    cases=[(_QUERY_X, _KEY_X, _VALUES, h) for h in (0.3, 0.8)],
    reference=lambda *case: nadaraya_watson(*case)[0], atol=1e-5, rtol=1e-5,
    describe=lambda *case: f"my_nadaraya_watson(query_x, key_x, values, bandwidth={case[-1]})",
    mistakes={
        lambda *case: _predict(*case, kernel=lambda d, h: -d ** 2 / h ** 2): "your scores are -(x - x_i)² / h²: "
        "the Gaussian kernel divides by 2h², not h².",
        lambda *case: _predict(*case, kernel=lambda d, h: -d ** 2 / (2 * h)): "you divided by 2h instead of 2h²: "
        "square the bandwidth too.",
        lambda *case: _predict(*case, kernel=lambda d, h: d ** 2 / (2 * h ** 2)): "the scores need a minus sign: "
        "near points must score *higher*, so the score is -(x - x_i)² / 2h².",
        lambda *case: _predict(*case, kernel=lambda d, h: -d.abs() / (2 * h ** 2)): "you used the distance "
        "|x - x_i|; the Gaussian kernel uses its square.",
        lambda q, k, v, h: torch.exp(-(q[:, None] - k[None, :]) ** 2 / (2 * h ** 2)) @ v: "the kernel values are "
        "not normalised: divide by their sum over the training points (a softmax does both steps at once).",
        lambda q, k, v, h: v[nadaraya_watson(q, k, v, h)[1].argmax(dim=1)]: "you returned the target of the "
        "nearest point (a hard read); the estimator averages all targets under the weights."},
    hint="scores = -(query_x[:, None] - key_x[None, :])**2 / (2 * bandwidth**2), weights = softmax over the "
         "keys, prediction = weights @ values.",
    praise="Scores from the distance, a softmax over the keys, a weighted average of the values: the same "
           "three steps as a key-value memory.")


choice_exercise(
    "3.1-bandwidth-limit", "Predict, then run: the smallest bandwidth",
    options=["its own target", "the nearest other point's target", "the mean of all targets"],
    answer="the nearest other point's target",
    praise="As h → 0 the softmax becomes an arg-max: 1-nearest-neighbour regression.",
    wrong={"its own target": "the leave-one-out mask hides each point's own target (the diagonal has "
                             "weight 0), so it cannot be copied.",
           "the mean of all targets": "that is the limit of a *large* bandwidth, where all weights become "
                                      "equal; a tiny bandwidth makes the weights sharper, not flatter."})
