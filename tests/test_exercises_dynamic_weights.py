"""The checker of "Dynamic weights" accepts the solution and names the typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def solution(x, w_query, w_key):
    return torch.softmax((x @ w_query) @ (x @ w_key).T / w_key.shape[1] ** 0.5, dim=-1)


def test_solution_passes(capsys):
    assert check("2.3-attention-weights", solution)
    assert "nothing in them depends on n" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (lambda x, q, k: torch.softmax((x @ q) @ (x @ k).T, dim=-1), "divide the scores by sqrt(d_k)"),
    (lambda x, q, k: torch.softmax((x @ q) @ (x @ k).T / 3 ** 0.5, dim=0), "softmax over the keys"),
    (lambda x, q, k: solution(x, k, q), "you swapped them"),
    (lambda x, q, k: solution(x, q, k)[:5, :5], "should have shape (9, 9)"),
    (lambda x, q, k: (x @ q) @ (x @ k).T, "off by up to"),
])
def test_mistakes_are_named(answer, phrase, capsys):
    assert not check("2.3-attention-weights", answer)
    assert phrase in capsys.readouterr().out


def test_padding_count_passes(capsys):
    assert check("2.3-padding-count", 131_104)
    assert "131,104 parameters" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (131_072, "add the 32 biases"),
    (16_416, "512 x 8 inputs"),
    (4_128, "to each of the 32 hidden units"),
    (9_154, "(inputs x outputs) weights plus one bias per output"),
])
def test_padding_count_mistakes_are_named(answer, phrase, capsys):
    assert not check("2.3-padding-count", answer)
    assert phrase in capsys.readouterr().out
