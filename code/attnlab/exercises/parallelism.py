"""Exercises of chapter 8, "Q1: parallelism, measured" (parallelism.ipynb)."""

from __future__ import annotations

import torch
from torch import nn

from ..complexity import sequential_steps
from ..scan import combine, linear_recurrence
from .answers import as_tensor, call, expect_close
from .core import exercise
from .declarations import Deferred, function_exercise, number_exercise

_generator = torch.Generator().manual_seed(81)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _pair(result, name: str, shape, wrong) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(result, (tuple, list)):
        raise wrong("not-a-pair", name=name, kind=type(result).__name__)
    if len(result) != 2:
        raise wrong("wrong-length", name=name, kind=type(result).__name__, length=len(result))
    return as_tensor(result[0], f"the a of {name}", shape=shape), as_tensor(result[1], f"the b of {name}", shape=shape)


def _off(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """How far ``actual`` is from ``expected`` at worst, as :func:`.answers.expect_close` says it."""
    return (actual - expected).abs().max().item()


@exercise("8.1-combine")
def _(answer, wrong):
    shape = (3, 4)
    first = (torch.rand(shape, generator=_generator, dtype=torch.float64) + 0.5,
             torch.randn(shape, generator=_generator, dtype=torch.float64))
    second = (torch.rand(shape, generator=_generator, dtype=torch.float64) + 0.5,
              torch.randn(shape, generator=_generator, dtype=torch.float64))
    a, b = _pair(call(answer, first, second, name="my_combine"), "your result", shape, wrong)
    expected_a, expected_b = combine(first, second)
    if not (_close(a, expected_a) and _close(b, expected_b)):
        swapped_a, swapped_b = combine(second, first)
        if _close(a, swapped_a) and _close(b, swapped_b):
            raise wrong("swapped")
        if _close(a, expected_a) and _close(b, first[1] + second[1]):
            raise wrong("b-unscaled")
        if _close(a, first[0] + second[0]):
            raise wrong("slopes-added")
        if not torch.allclose(a, expected_a, atol=1e-6, rtol=1e-4):
            raise wrong("a-off", off=_off(a, expected_a))
        if not torch.allclose(b, expected_b, atol=1e-6, rtol=1e-4):
            raise wrong("b-off", off=_off(b, expected_b))
    # A scan built on the learner's operator must reproduce the sequential loop.
    steps_a = torch.rand(13, 2, generator=_generator, dtype=torch.float64)
    steps_b = torch.randn(13, 2, generator=_generator, dtype=torch.float64)
    scan_a, scan_b, offset = steps_a, steps_b, 1
    while offset < 13:
        new = _pair(call(answer, (scan_a[:-offset], scan_b[:-offset]), (scan_a[offset:], scan_b[offset:]),
                         name="my_combine"), "your result", (13 - offset, 2), wrong)
        scan_a, scan_b = torch.cat([scan_a[:offset], new[0]]), torch.cat([scan_b[:offset], new[1]])
        offset *= 2
    expect_close(scan_b, linear_recurrence(steps_a, steps_b), "the scan built on your operator", atol=1e-6)


_PHI_Q = torch.rand(7, 3, generator=_generator, dtype=torch.float64) + 0.1
_PHI_K = torch.rand(7, 3, generator=_generator, dtype=torch.float64) + 0.1
_V = torch.randn(7, 2, generator=_generator, dtype=torch.float64)


def _linear_attention_quadratic(phi_q, phi_k, v, causal=True):
    weights = phi_q @ phi_k.T                                   # (n, n), nonnegative
    if causal:
        weights = weights.tril()
    return (weights / weights.sum(-1, keepdim=True)) @ v


function_exercise(
    "8.1-linear-attention", name="my_causal_linear_attention", cases=[(_PHI_Q, _PHI_K, _V)],
    reference=_linear_attention_quadratic, describe=lambda *case: "my_causal_linear_attention(phi_q, phi_k, v)",
    atol=1e-6, rtol=1e-6,
    mistakes={"no-causal": lambda *case: _linear_attention_quadratic(*case, causal=False),
              "no-normaliser": lambda phi_q, phi_k, v: (phi_q @ phi_k.T).tril() @ v,
              "features-cumsum": lambda phi_q, phi_k, v: ((phi_q @ phi_k.T).tril() @ v
                                                          / (phi_q * phi_k.cumsum(-1)).sum(-1, keepdim=True))})


def _stacked_rnn_steps(n: int = 10, d: int = 4) -> int:
    generator = torch.Generator().manual_seed(0)
    cells = [nn.RNNCell(d, d), nn.RNNCell(d, d)]
    x = torch.randn(1, n, d, generator=generator)

    def run():
        states = [x.new_zeros(1, d), x.new_zeros(1, d)]
        for t in range(n):
            states[0] = cells[0](x[:, t], states[0])
            states[1] = cells[1](states[0], states[1])
        return states[1]
    return sequential_steps(run)


number_exercise(
    "8.1-stacked-steps", answer=Deferred(_stacked_rnn_steps),
    wrong={"no-overlap": 20,
           "one-layer": 10,
           "one-step-per-layer": 2})
