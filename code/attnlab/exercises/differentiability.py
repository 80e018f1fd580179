"""Exercises of chapter 8, "Q2: when is attention differentiable?" (differentiability.ipynb)."""

from __future__ import annotations

import torch

from ..sparsemax import sparsemax
from .declarations import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(82)
_PROBLEMS = [(torch.randn(n, generator=_generator, dtype=torch.float64) * 1.5,
              torch.randn(n, generator=_generator, dtype=torch.float64)) for n in (3, 5, 8)]


def _exact(logits: torch.Tensor, losses: torch.Tensor) -> torch.Tensor:
    theta = logits.clone().requires_grad_()
    gradient, = torch.autograd.grad((torch.softmax(theta, dim=-1) * losses).sum(), theta)
    return gradient


def _direct(logits, losses):
    return torch.softmax(logits, dim=-1) * losses


function_exercise(
    "8.2-exact-gradient", name="my_exact_gradient", cases=_PROBLEMS, reference=_exact,
    describe=lambda logits, losses: f"my_exact_gradient(logits, losses) for n={len(logits)}", atol=1e-6, rtol=1e-6,
    mistakes={"wrong-sign": lambda *case: -_exact(*case),
              "direct-only": _direct,
              "unweighted": lambda logits, losses: losses - torch.softmax(logits, -1) @ losses,
              "diagonal-only": lambda logits, losses: _direct(logits, losses) * (1 - torch.softmax(logits, -1))})

_SPARSE_ROWS = torch.tensor([[1.2, 0.9, -0.3, 0.7, -1.0],
                             [3.0, 0.0, 0.0, 0.0, 0.0],          # one clear winner: one-hot
                             [0.5, 0.5, 0.5, 0.5, 0.5],          # all equal: uniform
                             [0.4, 0.4, -2.0, 0.1, 0.4]], dtype=torch.float64)


_SCORES = torch.cat([_SPARSE_ROWS, torch.randn(4, 5, generator=torch.Generator().manual_seed(3),
                                               dtype=torch.float64) * 2])

function_exercise(
    "8.2-sparsemax", name="my_sparsemax", cases=[(_SCORES,)], reference=sparsemax,
    describe=lambda scores: "my_sparsemax(scores)", atol=1e-6, rtol=1e-6,
    mistakes={"softmax": lambda z: torch.softmax(z, dim=-1),
              "columns": lambda z: sparsemax(z.T).T,
              "no-clamp": lambda z: z - (z.sum(-1, keepdim=True) - 1) / z.shape[-1]})


number_exercise(
    "8.2-top1-jump", answer=-1.0 - 0.5, tolerance=1e-6,
    wrong={"wrong-sign": 1.5,
           "from-key-0": -4.0,
           "to-key-0": 2.5,
           "no-jump": 0.0})
