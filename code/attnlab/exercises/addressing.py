"""Exercises of chapter 3, "Attention as addressing" (addressing.ipynb)."""

from __future__ import annotations

import torch

from ..kernel_regression import nadaraya_watson
from .declarations import function_exercise

_generator = torch.Generator().manual_seed(31)
_KEY_X = torch.sort(torch.rand(12, generator=_generator, dtype=torch.float64) * 4).values
_VALUES = torch.sin(_KEY_X) + 0.3 * torch.randn(12, generator=_generator, dtype=torch.float64)
_QUERY_X = torch.tensor([0.3, 1.1, 2.0, 2.7, 3.9], dtype=torch.float64)


def _predict(query_x, key_x, values, bandwidth, kernel=lambda d, h: -d ** 2 / (2 * h ** 2)):
    """The estimator with another kernel (score of distance d at bandwidth h): a learner's slip."""
    return torch.softmax(kernel(query_x[:, None] - key_x[None, :], bandwidth), dim=1) @ values


function_exercise(
    "3.1-nadaraya-watson", name="my_nadaraya_watson",
    cases=[(_QUERY_X, _KEY_X, _VALUES, h) for h in (0.3, 0.8)], reference=lambda *case: nadaraya_watson(*case)[0],
    describe=lambda *case: f"my_nadaraya_watson(query_x, key_x, values, bandwidth={case[-1]})", atol=1e-5,
    rtol=1e-5,
    mistakes={"no-factor-two": lambda *case: _predict(*case, kernel=lambda d, h: -d ** 2 / h ** 2),
              "unsquared-bandwidth": lambda *case: _predict(*case, kernel=lambda d, h: -d ** 2 / (2 * h)),
              "no-minus": lambda *case: _predict(*case, kernel=lambda d, h: d ** 2 / (2 * h ** 2)),
              "absolute-distance": lambda *case: _predict(*case, kernel=lambda d, h: -d.abs() / (2 * h ** 2)),
              "unnormalised": lambda q, k, v, h: torch.exp(-(q[:, None] - k[None, :]) ** 2 / (2 * h ** 2)) @ v,
              "nearest-target": lambda q, k, v, h: v[nadaraya_watson(q, k, v, h)[1].argmax(dim=1)]})


