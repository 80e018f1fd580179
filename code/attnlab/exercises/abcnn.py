"""Exercises of chapter 5, "ABCNN on text pairs" (abcnn.ipynb)."""

from __future__ import annotations

import torch

from .answers import as_tensor, call
from .core import exercise
from .declarations import function_exercise


def _hidden_pair() -> tuple[torch.Tensor, torch.Tensor]:
    """Two sentences of different lengths (4 and 6 positions, width 3); a_1 = b_2 exactly."""
    g = torch.Generator().manual_seed(53)
    a = torch.randn(2, 4, 3, generator=g, dtype=torch.float64)
    b = torch.randn(2, 6, 3, generator=g, dtype=torch.float64)
    b[:, 2] = a[:, 1]
    return a, b


def _distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a.unsqueeze(2) - b.unsqueeze(1)).pow(2).sum(-1).sqrt()


@exercise("5.3-match-scores")
def _(answer, wrong):
    a, b = _hidden_pair()
    distance = _distances(a, b)                                       # (2, 4, 6)
    a_in, b_in = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
    raw = call(answer, a_in, b_in, name="match_scores")
    if torch.is_tensor(raw) and tuple(raw.shape) == (2, 6, 4):
        raise wrong("transposed")
    scores = as_tensor(raw, "match_scores(a, b)", shape=(2, 4, 6))

    def close(typical: torch.Tensor) -> bool:
        return torch.allclose(scores, typical, atol=1e-3)

    if close(distance):
        raise wrong("distance")
    if close(1 / (1 + distance ** 2)):
        raise wrong("squared-distance")
    if close(-distance):
        raise wrong("negative-distance")
    if close(torch.exp(-distance)):
        raise wrong("exp-distance")
    if close(a @ b.transpose(1, 2)):
        raise wrong("dot-product")
    if not close(1 / (1 + distance)):
        raise wrong("values-off", worst=(scores - 1 / (1 + distance)).abs().max().item())
    if not torch.is_tensor(raw) or not raw.requires_grad:
        raise wrong("no-gradient")
    gradients = torch.autograd.grad(raw.sum(), (a_in, b_in), allow_unused=True)
    for name, grad in zip("ab", gradients):
        if grad is None or not torch.isfinite(grad).all():
            raise wrong("infinite-gradient", name=name)


def _hidden_attention() -> torch.Tensor:
    g = torch.Generator().manual_seed(54)
    return torch.rand(3, 5, 7, generator=g, dtype=torch.float64)      # (batch, len_a=5, len_b=7)


def _sums(attention):
    return attention.sum(dim=2), attention.sum(dim=1)


function_exercise(
    "5.3-pooling-weights", name="pooling_weights", cases=[(_hidden_attention(),)], reference=_sums,
    describe=lambda attention: "pooling_weights(attention)", parts=("weights_a", "weights_b"), atol=1e-6,
    mistakes={"swapped": lambda attention: _sums(attention)[::-1],
              "normalised": lambda attention: (_sums(attention)[0] / _sums(attention)[0].sum(-1, keepdim=True), None),
              "softmax": lambda attention: (torch.softmax(_sums(attention)[0], -1), None),
              "row-max": lambda attention: (attention.amax(dim=2), None),
              "row-mean": lambda attention: (attention.mean(dim=2), None)})
