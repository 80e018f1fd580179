"""Exercises of chapter 4, "Focus and saliency" (focus-saliency.ipynb)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .answers import call, refuse_none
from .core import exercise
from .declarations import function_exercise, number_exercise


def _autograd_selection(x: torch.Tensor, k: int) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(F.max_pool1d(x[None, None], k).sum(), x)
    return gradient != 0


@exercise("4.6-maxpool-selection")
def _(answer, wrong):
    generator = torch.Generator().manual_seed(0)
    for n, k in ((12, 3), (16, 4), (10, 5)):
        x = torch.randn(n, generator=generator)
        mask = call(answer, x.clone(), k, name="maxpool_selection")
        refuse_none(mask, "the result of maxpool_selection")
        if not torch.is_tensor(mask):
            raise wrong("not-a-tensor", kind=type(mask).__name__)
        if tuple(mask.shape) != (n,):
            if tuple(mask.shape) == (n // k,):
                raise wrong("per-window", shape=tuple(mask.shape), n=n)
            raise wrong("wrong-shape", shape=tuple(mask.shape), n=n)
        if mask.dtype != torch.bool:
            raise wrong("not-boolean", dtype=mask.dtype)
        if not torch.equal(mask, _autograd_selection(x, k)):
            if int(mask.sum()) == 1:
                raise wrong("single-input")
            if int(mask.sum()) != n // k:
                raise wrong("wrong-count", count=int(mask.sum()), windows=n // k, k=k)
            raise wrong("not-the-largest")


number_exercise(
    "4.6-maxpool-count", answer=(128 // 16) ** 2,
    wrong={"small-windows": 256,
           "windows-of-16": 1024,
           "window-width": 16,
           "one-side": 8,
           "every-pixel": 128 * 128})


def _gate(image: torch.Tensor, saliency: torch.Tensor, sharpness: float, centre=torch.median) -> torch.Tensor:
    return torch.sigmoid(sharpness * (saliency - centre(saliency)))[..., None] * image


def _gate_cases() -> list[tuple]:
    generator = torch.Generator().manual_seed(46)
    return [(torch.rand(h, w, 3, generator=generator, dtype=torch.float64),
             torch.rand(h, w, generator=generator, dtype=torch.float64), sharpness)
            for h, w, sharpness in ((4, 5, 20.0), (6, 3, 2.0))]


function_exercise(
    "4.6-saliency-gate", name="saliency_gate", cases=_gate_cases(), reference=_gate,
    describe=lambda *case: "saliency_gate(image, saliency, sharpness)",
    mistakes={"hard-threshold": lambda image, s, k: (s > s.median()).to(image.dtype)[..., None] * image,
              "mean-centre": lambda *case: _gate(*case, centre=torch.mean),
              "gate-only": lambda image, s, k: _gate(torch.ones_like(image), s, k)})
