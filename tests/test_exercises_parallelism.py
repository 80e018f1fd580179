"""The checkers of parallelism.ipynb (chapter 8, Q1) accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def combine(first, second):
    (a1, b1), (a2, b2) = first, second
    return a2 * a1, a2 * b1 + b2


def linear_attention(phi_q, phi_k, v):
    state = torch.cumsum(phi_k[:, :, None] * v[:, None, :], dim=0)
    normaliser = torch.cumsum(phi_k, dim=0)
    return torch.einsum("nr,nrd->nd", phi_q, state) / (phi_q * normaliser).sum(-1, keepdim=True)


def test_combine_accepts_the_solution(capsys):
    assert check("8.1-combine", combine)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda f, s: combine(s, f), "applied `second` first"),
    (lambda f, s: (f[0] * s[0], f[1] + s[1]), "scales what the first one added"),
    (lambda f, s: (f[0] * s[0], f[0] * s[1] + f[1]), "applied `second` first"),
    (lambda f, s: (f[0] + s[0], s[0] * f[1] + s[1]), "multiply, they do not add"),
    (lambda f, s: (f[0] * s[0], s[0] * f[1] + s[1] + 0.1), "off by up to"),
    (lambda f, s: f[0] * s[0], "should be a pair"),
    (lambda f, s: None, "should be a pair"),
])
def test_combine_explains_mistakes(mistake, phrase, capsys):
    assert not check("8.1-combine", mistake)
    assert phrase in capsys.readouterr().out


def test_linear_attention_accepts_the_solution(capsys):
    assert check("8.1-linear-attention", linear_attention)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda q, k, v: (q @ k.T / (q @ k.T).sum(-1, keepdim=True)) @ v, "non-causal"),
    (lambda q, k, v: (q @ k.T).tril() @ v, "divide by"),
    (lambda q, k, v: linear_attention(q, k, v) * 2, "off by up to"),
    (lambda q, k, v: linear_attention(q, k, v)[:3], "has shape"),
    (lambda q, k, v: None, "is None"),
])
def test_linear_attention_explains_mistakes(mistake, phrase, capsys):
    assert not check("8.1-linear-attention", mistake)
    assert phrase in capsys.readouterr().out


@pytest.mark.parametrize("answer, ok, phrase", [
    (11, True, "Correct"), (20, False, "not 2n"), (10, False, "one step after"), (2, False, "n steps"),
    (15, False, "is not it"),
])
def test_stacked_steps(answer, ok, phrase, capsys):
    assert bool(check("8.1-stacked-steps", answer)) is ok
    assert phrase in capsys.readouterr().out
