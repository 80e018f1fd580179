"""Exercises of chapter 4, "Multi-head attention" (multi-head.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise, number_exercise


def _split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    batch, n, d = x.shape
    return x.reshape(batch, n, num_heads, d // num_heads).transpose(1, 2)


@exercise("4.4-head-rows", "One head's rows of a projection")
def _(answer):
    generator = torch.Generator().manual_seed(44)
    for d, num_heads in ((8, 2), (12, 4), (16, 8), (6, 1)):
        weight = torch.randn(d, d, generator=generator, dtype=torch.float64)
        x = torch.randn(1, 3, d, generator=generator, dtype=torch.float64)
        heads = _split_heads(x @ weight.T, num_heads)                     # (1, heads, 3, d_head)
        d_head = d // num_heads
        for head in range(num_heads):
            rows = call(answer, weight.clone(), head, num_heads, name="head_rows")
            name = f"head_rows(weight, head={head}, num_heads={num_heads}) for d={d}"
            if torch.is_tensor(rows) and tuple(rows.shape) == (d, d_head) and num_heads > 1:
                raise Incorrect(f"{name} has shape {(d, d_head)}: you took columns. nn.Linear stores its weight "
                                f"as (out_features, in_features), so a head's output features are rows.")
            rows = as_tensor(rows, name, shape=(d_head, d))
            if not torch.allclose(x @ rows.T, heads[:, head], atol=1e-8):
                if head > 0 and torch.allclose(rows, weight[:d_head]):
                    raise Incorrect(f"{name} returned the first head's rows for head {head}; head j owns rows "
                                    f"j * d_head to (j + 1) * d_head.")
                if torch.allclose(rows, weight[head::num_heads]):
                    raise Incorrect(f"{name} took every {num_heads}-th row (a stride). The reshape to "
                                    f"(heads, d_head) cuts the features into consecutive blocks of d_head.")
                raise Incorrect(f"{name}: x @ rows.T does not equal head {head}'s slice of the projected x. "
                                f"Head j owns the consecutive rows j * (d // num_heads) to (j + 1) * (d // num_heads).")
    return ("Each head owns a consecutive block of d / h rows: its projection has rank at most d / h, and "
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
