"""The checkers of "Local encoding" accept the solutions and name the typical mistakes."""

import pytest

from attnlab.exercises import check


def test_receptive_field_solution_passes(capsys):
    assert check("2.1-receptive-field", lambda n_layers, k, d: 1 + n_layers * (k - 1) * d)
    assert "Dilation multiplies the reach" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (lambda n_layers, k, d: 1 + n_layers * (k - 1), "you ignored the dilation"),
    (lambda n_layers, k, d: n_layers * k * d, "a layer adds k - 1 positions, not k"),
    (lambda n_layers, k, d: n_layers * (k - 1) * d, "the + 1"),
    (lambda n_layers, k, d: k ** n_layers, "count how many positions one more layer adds"),
    (lambda n_layers, k: 1, "raised TypeError"),
])
def test_receptive_field_mistakes(answer, phrase, capsys):
    assert not check("2.1-receptive-field", answer)
    assert phrase in capsys.readouterr().out


def test_depth_solution_passes(capsys):
    assert check("2.1-depth-for-length", 17)
    assert "16 layers see only 97" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (33, "the *last* output see the *first* input"),
    (16, "3 short of 100"),
    (15, "6 positions, not 7"),
    (50, "Solve 1 + L (k - 1) >= 100"),
    ("17", "should be a number"),
])
def test_depth_mistakes(answer, phrase, capsys):
    assert not check("2.1-depth-for-length", answer)
    assert phrase in capsys.readouterr().out
