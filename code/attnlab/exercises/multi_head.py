"""Exercises of chapter 4, "Multi-head attention" (multi-head.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise, number_exercise


def _head_rows(weight: torch.Tensor, head: int, num_heads: int) -> torch.Tensor:
    d_head = weight.shape[0] // num_heads
    return weight[head * d_head:(head + 1) * d_head]


def _cases() -> list[tuple]:
    generator = torch.Generator().manual_seed(44)
    cases = []
    for d, num_heads in ((8, 2), (12, 4), (16, 8), (6, 1)):
        weight = torch.randn(d, d, generator=generator, dtype=torch.float64)
        cases += [(weight, head, num_heads) for head in range(num_heads)]
    return cases


function_exercise(
    "4.4-head-rows", name="head_rows", cases=_cases(), reference=_head_rows,
    describe=lambda w, head, num_heads: f"head_rows(weight, head={head}, num_heads={num_heads}) for d={len(w)}",
    mistakes={"columns": lambda w, j, h: _head_rows(w.T, j, h).T,
              "first-head": lambda w, j, h: _head_rows(w, 0, h),
              "strided": lambda w, j, h: w[j::h]})


number_exercise(
    "4.4-mha-parameters", answer=4 * (32 * 32 + 32),
    wrong={"no-biases": 4 * 32 * 32,
           "one-head": 4 * (32 * 32 + 32) / 8,
           "full-width-heads": 8 * 4 * (32 * 32 + 32),
           "no-output-projection": 3 * (32 * 32 + 32)})
