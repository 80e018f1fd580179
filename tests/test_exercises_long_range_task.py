"""The checker of "A long-range task" accepts the solution and explains each wrong choice."""

import pytest

from attnlab.exercises import check


def test_solution_passes(capsys):
    assert check("2.2-why-cnn-fails", " B ")
    assert "Mean pooling sums local terms" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    ("a", "more parameters do not help"),
    ("c", "it does tell letters from digits"),
    ("d", "more epochs cannot add a term"),
    ("e", "not one of the options"),
])
def test_wrong_choices_are_explained(answer, phrase, capsys):
    assert not check("2.2-why-cnn-fails", answer)
    assert phrase in capsys.readouterr().out
