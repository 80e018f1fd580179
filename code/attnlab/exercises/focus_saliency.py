"""Exercises of chapter 4, "Focus and saliency" (focus-saliency.ipynb)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .core import Incorrect, refuse_none, call, exercise, function_exercise, number_exercise


def _autograd_selection(x: torch.Tensor, k: int) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(F.max_pool1d(x[None, None], k).sum(), x)
    return gradient != 0


@exercise("4.6-maxpool-selection", "What does a max-pool select?")
def _(answer):
    generator = torch.Generator().manual_seed(0)
    for n, k in ((12, 3), (16, 4), (10, 5)):
        x = torch.randn(n, generator=generator)
        mask = call(answer, x.clone(), k, name="maxpool_selection")
        refuse_none(mask, "the result of maxpool_selection")
        if not torch.is_tensor(mask):
            raise Incorrect(f"maxpool_selection should return a boolean tensor, but it returned a "
                            f"{type(mask).__name__}.")
        if tuple(mask.shape) != (n,):
            if tuple(mask.shape) == (n // k,):
                raise Incorrect(f"your result has one entry per window, shape {tuple(mask.shape)}; return a "
                                f"mask over the inputs, shape ({n},), True where the window's maximum sits.")
            raise Incorrect(f"your result has shape {tuple(mask.shape)}, but it should have shape ({n},).")
        if mask.dtype != torch.bool:
            raise Incorrect(f"your result has dtype {mask.dtype}; return a boolean mask (e.g. with .bool()).")
        expected = _autograd_selection(x, k)
        if not torch.equal(mask, expected):
            if int(mask.sum()) == 1:
                raise Incorrect("you selected a single input; a max-pool selects one input in *every* window.")
            if int(mask.sum()) != n // k:
                raise Incorrect(f"you selected {int(mask.sum())} inputs, but with {n // k} windows of {k} the "
                                f"max-pool selects exactly {n // k}, one per window.")
            raise Incorrect("you selected one input per window, but not the largest one in each window.")
    return "One input per window receives the gradient: a hard, bottom-up selection."


number_exercise(
    "4.6-maxpool-count", "How many pixels does a 16x16 max-pool select?",
    answer=(128 // 16) ** 2,
    praise="(128 / 16) ** 2 = 64 windows, one selected pixel each.",
    hint="Count the 16x16 windows in a 128x128 map (the stride equals the window, so they do not "
         "overlap); each passes the gradient to one pixel.",
    wrong={256: "256 is the count for 8x8 windows. With 16x16 windows there are fewer windows.",
           1024: "that counts windows of 16 pixels; a 16x16 window holds 256 pixels.",
           16: "16 is the width of one window, not a count: 128 / 16 = 8 windows fit along each side.",
           8: "8 windows fit along one side; the windows tile both directions.",
           128 * 128: "every pixel would receive a gradient from a sum or a mean; a max passes it to one "
                      "pixel per window."})


def _gate(image: torch.Tensor, saliency: torch.Tensor, sharpness: float, centre=torch.median) -> torch.Tensor:
    return torch.sigmoid(sharpness * (saliency - centre(saliency)))[..., None] * image


def _gate_cases() -> list[tuple]:
    generator = torch.Generator().manual_seed(46)
    return [(torch.rand(h, w, 3, generator=generator, dtype=torch.float64),
             torch.rand(h, w, generator=generator, dtype=torch.float64), sharpness)
            for h, w, sharpness in ((4, 5, 20.0), (6, 3, 2.0))]


function_exercise(
    "4.6-saliency-gate", "A soft gate computed from saliency", name="saliency_gate", cases=_gate_cases(),
    reference=_gate, describe=lambda *case: "saliency_gate(image, saliency, sharpness)",
    mistakes={lambda image, s, k: (s > s.median()).to(image.dtype)[..., None] * image: "you used a hard threshold "
              "(0 or 1). A gate is soft: sigmoid(sharpness * (s - median)) lets every pixel through in proportion.",
              lambda *case: _gate(*case, centre=torch.mean): "you centred the saliency on its mean; the threshold "
              "is its median, so that half the pixels have a gate above 0.5.",
              lambda image, s, k: _gate(torch.ones_like(image), s, k): "you returned the gate itself; multiply it "
              "with the image (each colour channel)."},
    hint="gate = torch.sigmoid(sharpness * (saliency - saliency.median())), shape (height, width); return "
         "gate[..., None] * image.",
    praise="The gate is computed from the input alone, with no query: a soft, bottom-up selection, and every "
           "pixel gets a gradient scaled by its gate.")
