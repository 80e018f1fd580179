"""Exercises of chapter 7, "Masks that do not leak" (masks.ipynb)."""

from __future__ import annotations

import torch

from ..attention import causal_mask
from .core import Incorrect, call, exercise

_SIZES = (4, 7, 1)
_LENGTHS = torch.tensor([5, 2, 1, 5])


def _as_bool(answer, name: str, shape: tuple[int, ...]) -> torch.Tensor:
    if answer is None:
        raise Incorrect(f"{name} is None. Replace the `...` of the starter cell and end your function with `return`.")
    if not torch.is_tensor(answer):
        raise Incorrect(f"{name} should be a torch.Tensor, but it is a {type(answer).__name__}.")
    if tuple(answer.shape) != shape:
        raise Incorrect(f"{name} has shape {tuple(answer.shape)} but should have shape {shape}.")
    if answer.dtype != torch.bool:
        raise Incorrect(f"{name} has dtype {answer.dtype}; a mask of the course is boolean (True = may "
                        f"attend): build it with a comparison such as keys <= queries.")
    return answer


@exercise("7.2-causal-mask", "The causal mask")
def _(answer):
    for n in _SIZES:
        result = _as_bool(call(answer, n, name="my_mask"), f"my_mask({n})", (n, n))
        expected = causal_mask(n)
        if torch.equal(result, expected):
            continue
        if torch.equal(result, expected.T):
            raise Incorrect("your mask is the upper triangle: query i would attend to the future keys j >= i. "
                            "Rows are queries, columns keys; keep j <= i.")
        if torch.equal(result, ~expected):
            raise Incorrect("your mask is True where attending is forbidden (PyTorch's convention); the course's "
                            "mask is True where a query MAY attend.")
        if torch.equal(result, expected & ~torch.eye(n, dtype=torch.bool)):
            raise Incorrect("your mask leaves out the diagonal: a position may attend to itself (j <= i, not j < i). "
                            "The first position would have nothing to attend to.")
        raise Incorrect(f"my_mask({n}) differs from the causal mask at {(result != expected).sum().item()} entries: "
                        "entry (i, j) is True exactly when j <= i.")
    return "Right: query i sees keys 0..i, itself included."


@exercise("7.2-decoder-mask", "The decoder's mask, from lengths")
def _(answer):
    n = 5
    result = _as_bool(call(answer, _LENGTHS.clone(), n, name="my_decoder_mask"), "your mask", (len(_LENGTHS), n, n))
    real = torch.arange(n)[None, :] < _LENGTHS[:, None]
    expected = causal_mask(n)[None] & real[:, None, :]
    if torch.equal(result, expected):
        return ("Right. The padded queries still attend to the real keys before them; their outputs are "
                "ignored by the loss, and no row is left with nothing to attend to.")
    if torch.equal(result, causal_mask(n).expand(len(_LENGTHS), n, n)):
        raise Incorrect("that is the causal mask only: the padded keys must be masked as well.")
    if torch.equal(result, real[:, None, :].expand(len(_LENGTHS), n, n)):
        raise Incorrect("that is the padding mask only: the future must be masked as well (j <= i).")
    if torch.equal(result, causal_mask(n)[None] & real[:, :, None]):
        raise Incorrect("you masked padded queries (rows): a padded query's row is then all False, with nothing "
                        "to attend to. Mask the padded keys (columns) only: index the padding mask as [:, None, :].")
    raise Incorrect(f"your mask differs at {(result != expected).sum().item()} entries: entry (b, i, j) is True "
                    "exactly when j <= i and j < lengths[b].")
