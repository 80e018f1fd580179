"""The checkers of "A long-range task" accept the solutions and explain each typical mistake."""

import math

import pytest
import torch

from attnlab.exercises import check


def test_choice_solution_passes(capsys):
    assert check("2.2-why-cnn-fails", " B ")
    out = capsys.readouterr().out
    assert "Mean pooling sums local terms" in out and "(75%)" in out and "62.5" not in out


def test_more_epochs_feedback_states_the_proved_ceiling(capsys):
    """Option d's feedback quotes the ceiling the notebook proves by enumeration (75%, not
    62.5%) and says why training does not even reach it."""
    assert not check("2.2-why-cnn-fails", "d")
    out = capsys.readouterr().out
    assert "the best sum rule, 75%" in out and "heads for chance" in out and "62.5" not in out


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


def test_the_quoted_ceiling_is_the_best_sum_rule():
    """The 75% the feedback quotes: the best rule "same iff f(first) + g(last) > 0" on the
    task's distribution (a match 3/24, a non-match 1/24). Every sum rule is realised with
    f(a) in 0..4 and g(b) in -3..0 (the notebook's converse), so this grid holds them all."""
    grid_f = torch.cartesian_prod(*[torch.arange(0, 5)] * 4)  # (625, 4)
    grid_g = torch.cartesian_prod(*[torch.arange(-3, 1)] * 4)  # (256, 4)
    says_same = (grid_f[:, None, :, None] + grid_g[None, :, None, :] > 0)  # (625, 256, 4, 4)
    same = torch.eye(4, dtype=torch.bool)
    in_24ths = torch.where(same, 3, 1)
    best = (in_24ths * (says_same == same)).sum(dim=(-2, -1)).max().item()
    assert best == 18  # 18/24 = 75%
