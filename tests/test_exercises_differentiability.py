"""The checkers of differentiability.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def exact_gradient(logits, losses):
    p = torch.softmax(logits, dim=-1)
    return p * (losses - p @ losses)


def my_sparsemax(scores):
    ordered, _ = torch.sort(scores, dim=-1, descending=True)
    k = torch.arange(1, scores.shape[-1] + 1, dtype=scores.dtype)
    cumulative = ordered.cumsum(-1)
    support = (1 + k * ordered > cumulative).sum(-1, keepdim=True)
    return (scores - (cumulative.gather(-1, support - 1) - 1) / support).clamp_min(0)


def test_exact_gradient_accepts_the_solution(capsys):
    assert check("8.2-exact-gradient", exact_gradient)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda l, f: -exact_gradient(l, f), "wrong sign"),
    (lambda l, f: torch.softmax(l, -1) * f, "direct term"),
    (lambda l, f: f - torch.softmax(l, -1) @ f, "multiplied by its probability"),
    (lambda l, f: torch.softmax(l, -1) * (1 - torch.softmax(l, -1)) * f, "diagonal"),
    (lambda l, f: exact_gradient(l, f) + 0.1, "off by up to"),
    (lambda l, f: exact_gradient(l, f)[:-1], "has shape"),
    (lambda l, f: None, "is None"),
    (lambda l, f: 1 / 0, "ZeroDivisionError"),
])
def test_exact_gradient_explains_mistakes(mistake, phrase, capsys):
    assert not check("8.2-exact-gradient", mistake)
    assert phrase in capsys.readouterr().out


def test_sparsemax_accepts_the_solution(capsys):
    assert check("8.2-sparsemax", my_sparsemax)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda s: torch.softmax(s, -1), "that is the softmax"),
    (lambda s: s - s.mean(-1, keepdim=True) + 1 / s.shape[-1], "negative"),
    (lambda s: (s - s.amax(-1, keepdim=True) + 0.5).clamp_min(0), "do not sum to 1"),
    (lambda s: my_sparsemax(s)[:2], "has shape"),
    (lambda s: my_sparsemax(s) * float("nan"), "NaN"),
])
def test_sparsemax_explains_mistakes(mistake, phrase, capsys):
    assert not check("8.2-sparsemax", mistake)
    assert phrase in capsys.readouterr().out


@pytest.mark.parametrize("answer, ok, phrase", [
    (-1.5, True, "Correct"), (1.5, False, "sign"), (2.5, False, "never wins"), (0.0, False, "does jump"),
    (7.0, False, "is not it"), ("big", False, "should be a number"),
])
def test_top1_jump(answer, ok, phrase, capsys):
    assert bool(check("8.2-top1-jump", answer)) is ok
    assert phrase in capsys.readouterr().out
