"""Exercises of chapter 4, "Multi-head attention" (multi-head.ipynb)."""

from __future__ import annotations

from .core import Incorrect, as_number, exercise


@exercise("4.4-mha-parameters", "Parameters of multi-head attention with 8 heads")
def _(answer):
    if answer is None:
        raise Incorrect("`answer` is None: replace it by your prediction, a whole number of parameters.")
    value = as_number(answer, "your prediction")
    expected = 4 * (32 * 32 + 32)
    if value == expected:
        return ("4 x (32 x 32 + 32) = 4224, the same for 1, 2, 4 or 8 heads: heads split the width, "
                "they do not add parameters.")
    if value == 4 * 32 * 32:
        raise Incorrect("4096 counts the four weight matrices but forgets their biases (bias=True).")
    if value in (expected / 8, 4 * (4 * 32 + 4), 4 * (4 * 4 + 4)):
        raise Incorrect("that is the count for one head only. MultiHeadAttention holds all 8 heads in "
                        "its four d_model x d_model projections.")
    if value in (8 * expected, 3 * (32 * 32 + 32) * 8 + 32 * 32 + 32):
        raise Incorrect("the heads do not each get full-width projections: each head gets a "
                        "d_model / num_heads = 4 wide slice of the same four projections.")
    if value == 3 * (32 * 32 + 32):
        raise Incorrect("you counted the query, key and value projections; the output projection "
                        "is a fourth d_model x d_model layer.")
    raise Incorrect(f"{value:g} is not it. Count the four nn.Linear layers of MultiHeadAttention(32, 8): "
                    f"query_proj, key_proj, value_proj and out_proj, with their biases.")
