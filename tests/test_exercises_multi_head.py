"""The checkers of multi-head.ipynb accept the solutions and reject typical mistakes."""

import pytest

from attnlab.attention import MultiHeadAttention
from attnlab.exercises import check
from attnlab.train import count_parameters


def head_rows(weight, head, num_heads):
    d_head = weight.shape[0] // num_heads
    return weight[head * d_head:(head + 1) * d_head]


def test_head_rows_accepts_the_solution(capsys):
    assert check("4.4-head-rows", head_rows)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda w, j, h: w[:, j * (w.shape[0] // h):(j + 1) * (w.shape[0] // h)], "you took columns"),
    (lambda w, j, h: w[:w.shape[0] // h], "first head's rows"),
    (lambda w, j, h: w[j::h], "stride"),
    (lambda w, j, h: head_rows(w, j, h) * 2, "does not equal head"),
    (lambda w, j, h: w, "but it should have shape"),
    (lambda w, j, h: None, "is None"),
    (lambda w, j, h: 1 / 0, "raised ZeroDivisionError"),
])
def test_head_rows_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.4-head-rows", mistake)
    assert phrase in capsys.readouterr().out


def test_mha_parameters_accepts_the_count(capsys):
    assert check("4.4-mha-parameters", 4224)
    assert check("4.4-mha-parameters", count_parameters(MultiHeadAttention(32, 8)))
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (4096, "forgets their biases"),
    (528, "for one head only"),
    (8 * 4224, "do not each get full-width projections"),
    (3168, "output projection"),
    (1000, "Count the four nn.Linear layers"),
    ("4224", "should be a number"),
    (None, "is None"),
])
def test_mha_parameters_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.4-mha-parameters", mistake)
    assert phrase in capsys.readouterr().out
