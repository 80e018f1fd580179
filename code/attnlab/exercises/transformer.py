"""Exercises of chapter 7, "The Transformer, piece by piece" (transformer.ipynb)."""

from __future__ import annotations

import torch
from torch import nn

from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(71)
_X = torch.randn(2, 5, 8, generator=_generator, dtype=torch.float64) * 2 + 1


def _norm() -> nn.LayerNorm:
    norm = nn.LayerNorm(8).double()
    with torch.no_grad():
        norm.weight.copy_(1 + 0.3 * torch.randn(8, generator=_generator, dtype=torch.float64))
        norm.bias.copy_(0.2 * torch.randn(8, generator=_generator, dtype=torch.float64))
    return norm


_NORM = _norm()
_W = torch.randn(8, 8, generator=_generator, dtype=torch.float64) / 3


def _sublayer(h: torch.Tensor) -> torch.Tensor:
    return torch.tanh(h @ _W)


def _close(a, b) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


@exercise("7.1-sublayer", "One sublayer, both orders")
def _(answer):
    x, norm, f = _X, _NORM, _sublayer
    with torch.no_grad():
        post, pre = norm(x + f(x)), x + f(norm(x))
        for norm_first, expected, other, name in ((False, post, pre, "post-LN"), (True, pre, post, "pre-LN")):
            result = as_tensor(call(answer, x.clone(), f, norm, norm_first, name="my_sublayer"),
                               "your output", shape=tuple(x.shape))
            if _close(result, expected):
                continue
            if _close(result, other):
                raise Incorrect(f"with norm_first={norm_first} you computed the other order; {name} is "
                                + ("norm(x + sublayer(x))." if not norm_first else "x + sublayer(norm(x))."))
            if _close(result, f(norm(x))) or _close(result, norm(f(x))) or _close(result, f(x)):
                raise Incorrect(f"the residual connection is missing ({name}): add x back.")
            if _close(result, x + f(x)):
                raise Incorrect(f"the LayerNorm is missing ({name}).")
            if _close(result, norm(x) + f(norm(x))):
                raise Incorrect("in pre-LN the residual adds the input x itself, not norm(x): x + sublayer(norm(x)).")
            expect_close(result, expected, "your output", hint=f"{name} is "
                         + ("norm(x + sublayer(x))." if not norm_first else "x + sublayer(norm(x))."))
    return ("Both orders are right. Pre-LN leaves x untouched on the residual path; post-LN normalises "
            "the sum after every sublayer.")


TYING = number_exercise(
    "7.1-three-way-tying", "Predict: the saving of three-way tying",
    answer=2 * 37_000 * 512, tolerance=0.5,
    praise="Right: three matrices of 37,000 x 512 become one, so two are saved (about 38 million parameters).",
    hint="Each matrix is vocabulary x d_model; count how many of the three disappear when they become one.",
    wrong={37_000 * 512: "That is one matrix; three matrices become one, so two are saved.",
           3 * 37_000 * 512: "That is all three matrices; one of them is still there after tying.",
           2 * 37_000 * 512 * 4: "Count parameters, not bytes."})
