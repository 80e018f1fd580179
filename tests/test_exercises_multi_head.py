"""What the declarations of multi-head.ipynb's exercises cannot say (tests/test_exercises.py
checks every declared reference and mistake): the notebook's solutions pass, and the count
equals the package's own."""

from attnlab.attention import MultiHeadAttention
from attnlab.exercises import check
from attnlab.train import count_parameters


def head_rows(weight, head, num_heads):
    d_head = weight.shape[0] // num_heads
    return weight[head * d_head:(head + 1) * d_head]


def test_head_rows_accepts_the_notebooks_solution():
    assert check("4.4-head-rows", head_rows)


def test_the_parameter_count_is_the_packages():
    assert check("4.4-mha-parameters", count_parameters(MultiHeadAttention(32, 8)))
