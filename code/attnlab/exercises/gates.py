"""Exercises of chapter 6, "Gates as attention" (gates.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise

_generator = torch.Generator().manual_seed(61)
_D_INPUT, _D_HIDDEN, _BATCH = 3, 4, 5
_X = torch.randn(_BATCH, _D_INPUT, generator=_generator, dtype=torch.float64)
_H = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_C = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_W_IH = torch.randn(4 * _D_HIDDEN, _D_INPUT, generator=_generator, dtype=torch.float64)
_W_HH = torch.randn(4 * _D_HIDDEN, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_BIAS = torch.randn(4 * _D_HIDDEN, generator=_generator, dtype=torch.float64)


def _step(x, h, c, w_ih, w_hh, bias, order="ifgo", h_of_c=torch.tanh, candidate=torch.tanh):
    blocks = dict(zip(order, (x @ w_ih.T + h @ w_hh.T + bias).chunk(4, dim=-1)))
    c = torch.sigmoid(blocks["f"]) * c + torch.sigmoid(blocks["i"]) * candidate(blocks["g"])
    return torch.sigmoid(blocks["o"]) * h_of_c(c), c


function_exercise(
    "6.1-lstm-step", name="my_lstm_step", cases=[(_X, _H, _C, _W_IH, _W_HH, _BIAS)], reference=_step,
    describe=lambda *case: "my_lstm_step(x, h, c, w_ih, w_hh, bias)", parts=("h", "c"), atol=1e-6, rtol=1e-6,
    mistakes={"swapped": lambda *case: _step(*case)[::-1],
              **{f"order-{order}": (lambda *case, order=order: _step(*case, order=order))
                 for order in ("ifog", "igfo", "fiog", "figo")},
              "sigmoid-candidate": lambda *case: _step(*case, candidate=torch.sigmoid),
              "tanh-missing": lambda *case: _step(*case, h_of_c=lambda m: m)})


_A = torch.randn(3, 12, generator=_generator, dtype=torch.float64)
_B = torch.stack([_A[0] ** 3 + 0.05 * _A[0], -_A[1].exp(), torch.randn(12, generator=_generator, dtype=torch.float64)])


def _ranks(x: torch.Tensor) -> torch.Tensor:
    return x.argsort().argsort().double()


def _pearson(x: torch.Tensor, y: torch.Tensor) -> float:
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / (x.norm() * y.norm()))


function_exercise(
    "6.1-spearman", name="my_spearman", cases=list(zip(_A, _B)),
    reference=lambda a, b: _pearson(_ranks(a), _ranks(b)), describe=lambda *case: "my_spearman(a, b)", atol=1e-6,
    rtol=0.0,
    mistakes={"pearson": _pearson,
              "order-not-rank": lambda a, b: _pearson(a.argsort().double(), b.argsort().double())})


