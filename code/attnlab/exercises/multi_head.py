"""Exercises of chapter 4, "Multi-head attention" (multi-head.ipynb)."""

from __future__ import annotations

import torch

from .core import function_exercise, number_exercise


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
    "4.4-head-rows", "One head's rows of a projection", name="head_rows", cases=_cases(), reference=_head_rows,
    describe=lambda w, head, num_heads: f"head_rows(weight, head={head}, num_heads={num_heads}) for d={len(w)}",
    mistakes={
        lambda w, j, h: _head_rows(w.T, j, h).T: "{call} took columns. nn.Linear stores its weight as "
        "(out_features, in_features), so a head's output features are rows.",
        lambda w, j, h: _head_rows(w, 0, h): "{call} returned the first head's rows; head j owns rows "
        "j * d_head to (j + 1) * d_head.",
        lambda w, j, h: w[j::h]: "{call} took every num_heads-th row (a stride). The reshape to (heads, d_head) "
        "cuts the features into consecutive blocks of d_head."},
    hint="Head j owns the consecutive rows j * (d // num_heads) to (j + 1) * (d // num_heads).",
    praise="Each head owns a consecutive block of d / h rows: its projection has rank at most d / h, and "
           "all heads together use each row once, so heads add no parameters.")


number_exercise(
    "4.4-mha-parameters", "Parameters of multi-head attention with 8 heads",
    answer=4 * (32 * 32 + 32),
    praise="4 x (32 x 32 + 32) = 4224, the same for 1, 2, 4 or 8 heads: heads split the width, "
           "they do not add parameters.",
    hint="Count the four nn.Linear layers of MultiHeadAttention(32, 8): query_proj, key_proj, value_proj "
         "and out_proj, with their biases.",
    wrong={4 * 32 * 32: "4096 counts the four weight matrices but forgets their biases (bias=True).",
           4 * (32 * 32 + 32) / 8: "that is the count for one head only. MultiHeadAttention holds all 8 heads "
                                   "in its four d_model x d_model projections.",
           8 * 4 * (32 * 32 + 32): "the heads do not each get full-width projections: each head gets a "
                                   "d_model / num_heads = 4 wide slice of the same four projections.",
           3 * (32 * 32 + 32): "you counted the query, key and value projections; the output projection is "
                               "a fourth d_model x d_model layer."})
