"""The hand-written checker of parallelism.ipynb (the combine operator, with a scan built on it)
accepts the solution and names typical mistakes; the declared exercises are covered by
tests/test_exercises.py."""

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
