"""The checkers of gates.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def lstm_step(x, h, c, weight_ih, weight_hh, bias, order="ifgo", h_of_c=torch.tanh, candidate=torch.tanh):
    blocks = dict(zip(order, (x @ weight_ih.T + h @ weight_hh.T + bias).chunk(4, dim=-1)))
    c = torch.sigmoid(blocks["f"]) * c + torch.sigmoid(blocks["i"]) * candidate(blocks["g"])
    return torch.sigmoid(blocks["o"]) * h_of_c(c), c


def test_lstm_step_accepts_the_solution(capsys):
    assert check("6.1-lstm-step", lstm_step)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda *a: lstm_step(*a, order="ifog"), "PyTorch's order"),
    (lambda *a: lstm_step(*a, candidate=torch.sigmoid), "uses tanh, not a sigmoid"),
    (lambda *a: lstm_step(*a, h_of_c=lambda m: m), "not o * c"),
    (lambda *a: lstm_step(*a)[::-1], "swapped"),
    (lambda *a: lstm_step(*a)[0], "return the pair"),
    (lambda *a: None, "returned None"),
    (lambda *a: (lstm_step(*a)[0][:, :2], lstm_step(*a)[1]), "has shape"),
])
def test_lstm_step_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.1-lstm-step", mistake)
    assert phrase in capsys.readouterr().out


def spearman(a, b):
    ra, rb = a.argsort().argsort().double(), b.argsort().argsort().double()
    ra, rb = ra - ra.mean(), rb - rb.mean()
    return (ra * rb).sum() / (ra.norm() * rb.norm())


def pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    return (a * b).sum() / (a.norm() * b.norm())


def test_spearman(capsys):
    assert check("6.1-spearman", spearman)
    assert "Correct" in capsys.readouterr().out
    for mistake, phrase in [(pearson, "Pearson correlation of the values"),
                            (lambda a, b: pearson(a.argsort().double(), b.argsort().double()), "apply argsort twice"),
                            (lambda a, b: 0.5, "Spearman's correlation is"),
                            (lambda a, b: a, "single number"),
                            (lambda a, b: 1 / 0, "raised ZeroDivisionError")]:
        assert not check("6.1-spearman", mistake)
        assert phrase in capsys.readouterr().out


def test_competition(capsys):
    assert check("6.1-competition", "every attention weight is 0.1, every input gate near 1")
    for wrong, phrase in [("every attention weight is near 1", "sum to 1"),
                          ("every input gate is 0.1", "does not divide")]:
        assert not check("6.1-competition", wrong)
        assert phrase in capsys.readouterr().out
