"""The checkers of fully-connected.ipynb (chapter 8, Q3) accept the solutions and explain typical mistakes."""

import math

import pytest
import torch

from attnlab.exercises import check


def attention_matrix(x, w_query, w_key):
    return torch.softmax((x @ w_query) @ (x @ w_key).transpose(1, 2) / math.sqrt(x.shape[-1]), dim=-1)


def synthesizer(x, logits, w_value):
    return torch.softmax(logits, dim=-1) @ (x @ w_value)


def test_attention_matrix_accepts_the_solution(capsys):
    assert check("8.3-attention-matrix", attention_matrix)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, q, k: torch.softmax((x @ q) @ (x @ k).transpose(1, 2) / math.sqrt(x.shape[-1]), dim=-2),
     "over the queries"),
    (lambda x, q, k: torch.softmax((x @ q) @ (x @ k).transpose(1, 2), dim=-1), "sqrt(d)"),
    (lambda x, q, k: (x @ q) @ (x @ k).transpose(1, 2) / math.sqrt(x.shape[-1]), "apply the softmax"),
    (lambda x, q, k: torch.softmax((x @ k) @ (x @ q).transpose(1, 2) / math.sqrt(x.shape[-1]), dim=-1),
     "transposed"),
    (lambda x, q, k: attention_matrix(x, q, k)[0], "has shape"),
    (lambda x, q, k: None, "is None"),
])
def test_attention_matrix_explains_mistakes(mistake, phrase, capsys):
    assert not check("8.3-attention-matrix", mistake)
    assert phrase in capsys.readouterr().out


def test_synthesizer_accepts_the_solution(capsys):
    assert check("8.3-synthesizer", synthesizer)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, r, w: torch.softmax(r, dim=-2) @ (x @ w), "over the columns"),
    (lambda x, r, w: r @ (x @ w), "R itself"),
    (lambda x, r, w: torch.softmax(r, dim=-1) @ x, "value projection"),
    (lambda x, r, w: synthesizer(x, r, w) - synthesizer(x, r, w)[:1] * 0 + x.mean(0, keepdim=True) * 0.1
     * (x[:1] != 0), "off by up to"),
    (lambda x, r, w: torch.softmax(r, dim=-1) @ (x @ w) + 0 * x.sum(), "Correct"),
])
def test_synthesizer_explains_mistakes(mistake, phrase, capsys):
    result = check("8.3-synthesizer", mistake)
    assert bool(result) is (phrase == "Correct")
    assert phrase in capsys.readouterr().out


def test_synthesizer_must_mix_examples_independently(capsys):
    # Right on the first batch by construction, but it leaks example 0 into the others.
    first = {}

    def leaky(x, r, w):
        out = synthesizer(x, r, w)
        if "x0" not in first:
            first["x0"] = x[0].clone()
            return out
        return out + (x[0] - first["x0"]).sum() * 1e-3
    assert not check("8.3-synthesizer", leaky)
    assert "changed the other examples" in capsys.readouterr().out


@pytest.mark.parametrize("answer, ok, phrase", [
    (91, True, "Correct"), (90, False, "still below"), (64, False, "n = d"), (111, False, "value projection"),
    (128, False, "2d"), (None, False, "is None"),
])
def test_break_even(answer, ok, phrase, capsys):
    assert bool(check("8.3-break-even", answer)) is ok
    assert phrase in capsys.readouterr().out
