"""The checkers of score-functions.ipynb accept the solutions and reject typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def test_general_score_accepts_the_solution(capsys):
    assert check("4.5-general-score", lambda q, k, w: q @ w @ k.T)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda q, k, w: q @ w @ k.T / k.shape[-1] ** 0.5, "divided by sqrt(d)"),
    (lambda q, k, w: torch.softmax(q @ w @ k.T, -1), "softmax of the scores"),
    (lambda q, k, w: k @ w.T @ q.T, "shape (5, 3), but it should have shape (3, 5)"),
    (lambda q, k, w: q @ w @ k.T + 1, "off by up to"),
    (lambda q, k, w: q @ k.T, "raised RuntimeError"),
    (lambda q, k, w: None, "is None"),
])
def test_general_score_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.5-general-score", mistake)
    assert phrase in capsys.readouterr().out


def additive(q, k, wq, wk, v):
    return torch.tanh((q @ wq.T)[:, None, :] + (k @ wk.T)[None, :, :]) @ v


def test_additive_score_accepts_the_solution(capsys):
    assert check("4.5-additive-score", additive)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda q, k, wq, wk, v: ((q @ wq.T)[:, None, :] + (k @ wk.T)[None, :, :]) @ v, "no tanh"),
    (lambda q, k, wq, wk, v: torch.softmax(additive(q, k, wq, wk, v), -1), "softmax of the scores"),
    (lambda q, k, wq, wk, v: additive(q, k, wq, wk, v).T, "but it should have shape"),
    (lambda q, k, wq, wk, v: torch.tanh((q @ wq.T)[:, None, :] * (k @ wk.T)[None, :, :]) @ v, "off by up to"),
    (lambda q, k, wq, wk, v: torch.tanh(q @ wq + k @ wk) @ v, "raised RuntimeError"),
    (lambda q, k, wq, wk, v: additive(q, k, wq, wk, v) * float("nan"), "NaN"),
    (lambda q, k, wq, wk, v: None, "is None"),
])
def test_additive_score_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.5-additive-score", mistake)
    assert phrase in capsys.readouterr().out


@pytest.mark.parametrize("answer", [64, 64.0, torch.tensor(64.0)])
def test_dot_variance_accepts_the_solution(answer, capsys):
    assert check("4.5-dot-variance", answer)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (1, "variance of the *scaled* score"),
    (8, "standard deviation"),
    (4096, "perfectly correlated"),
    (100, "is not it"),
    ("64", "should be a number"),
    (None, "is None"),
])
def test_dot_variance_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.5-dot-variance", mistake)
    assert phrase in capsys.readouterr().out
