"""The checkers of "A long-range task" accept the solutions and explain each typical mistake."""

import math

import pytest
import torch

from attnlab.exercises import check


def test_choice_solution_passes(capsys):
    assert check("2.2-why-cnn-fails", " B ")
    assert "Mean pooling sums local terms" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    ("a", "more channels do not help"),
    ("c", "the zero padding does not hide the letters"),
    ("d", "more epochs cannot add a term"),
    ("e", "the 1/n of the mean is a constant"),
    ("f", "not one of the options"),
])
def test_wrong_choices_are_explained(answer, phrase, capsys):
    assert not check("2.2-why-cnn-fails", answer)
    assert phrase in capsys.readouterr().out


def encoding(n_positions, d_model, *, swap=False, shift=0, divide=True, shared=True):
    positions = torch.arange(shift, n_positions + shift, dtype=torch.float64)[:, None]
    columns = torch.arange(0, d_model, 2, dtype=torch.float64) if shared else torch.arange(d_model // 2) * 4.0
    power = 10000.0 ** (columns / d_model)
    angles = positions / power if divide else positions * power
    out = torch.zeros(n_positions, d_model, dtype=torch.float64)
    out[:, 0::2], out[:, 1::2] = (torch.cos(angles), torch.sin(angles)) if swap else (torch.sin(angles), torch.cos(angles))
    return out


def test_sinusoidal_solution_passes(capsys):
    assert check("2.2-sinusoidal", encoding)
    assert "Every position gets its own vector" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (lambda n, d: encoding(n, d, swap=True), "sine and cosine are swapped"),
    (lambda n, d: encoding(n, d, shift=1), "positions start at 0"),
    (lambda n, d: encoding(n, d, divide=False), "divide the position by the power"),
    (lambda n, d: torch.cat([encoding(n, d)[:, 0::2], encoding(n, d)[:, 1::2]], dim=1), "interleave"),
    (lambda n, d: encoding(n, d).T, "should have shape (7, 6)"),
    (lambda n, d: encoding(n, d) * math.nan, "contains NaN"),
    (lambda n, d: None, "is None"),
    (lambda n: encoding(n, 6), "raised TypeError"),
    (lambda n, d: encoding(n, d) + 0.1, "off by up to"),
])
def test_sinusoidal_mistakes(answer, phrase, capsys):
    assert not check("2.2-sinusoidal", answer)
    assert phrase in capsys.readouterr().out
