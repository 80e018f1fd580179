"""Exercises of chapter 4, "Focus and saliency" (focus-saliency.ipynb)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .core import Incorrect, _none_message, as_number, call, exercise


def _autograd_selection(x: torch.Tensor, k: int) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    F.max_pool1d(x[None, None], k).sum().backward()
    return x.grad != 0


@exercise("4.6-maxpool-selection", "What does a max-pool select?")
def _(answer):
    generator = torch.Generator().manual_seed(0)
    for n, k in ((12, 3), (16, 4), (10, 5)):
        x = torch.randn(n, generator=generator)
        mask = call(answer, x.clone(), k, name="maxpool_selection")
        if mask is None:
            raise Incorrect(_none_message("the result of maxpool_selection"))
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


@exercise("4.6-maxpool-count", "How many pixels does a 16x16 max-pool select?")
def _(answer):
    if answer is None:
        raise Incorrect("`answer` is None: replace it by your prediction, then by the count autograd gives.")
    value = as_number(answer, "your answer")
    if value == 256:
        raise Incorrect("256 is the count for 8x8 windows. With 16x16 windows there are fewer windows.")
    if value == 128 * 128 / 16 or value == 1024:
        raise Incorrect("that counts windows of 16 pixels; a 16x16 window holds 256 pixels.")
    if value != 64:
        raise Incorrect(f"{value:g} is not it: count the 16x16 windows in a 128x128 map; each selects one pixel.")
    return "(128 / 16) ** 2 = 64 windows, one selected pixel each."
