"""The checkers of lstm-query.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def final_state(states, tokens):
    lengths = (tokens != 0).sum(dim=1).clamp(min=1)
    return states[torch.arange(len(tokens)), lengths - 1]


def test_final_state_accepts_the_solution(capsys):
    assert check("5.2-final-state", final_state)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda s, t: s[:, -1], "read the padding too"),
    (lambda s, t: s[torch.arange(len(t)), (t != 0).sum(1).clamp(1, s.shape[1] - 1)], "off by one"),
    (lambda s, t: s[torch.arange(len(t)), (t != 0).sum(1)], "raised IndexError"),
    (lambda s, t: s[torch.arange(len(t)), (t != 0).sum(1) - 1], "clamp the lengths to at least 1"),
    (lambda s, t: s.mean(dim=1), "off by up to"),
    (lambda s, t: s[:, -1, :2], "has shape"),
    (lambda s, t: None, "is None"),
])
def test_final_state_explains_mistakes(capsys, mistake, phrase):
    assert not check("5.2-final-state", mistake)
    assert phrase in capsys.readouterr().out


def test_query_control(capsys):
    assert check("5.2-query-control", "CNN + attention pooling with a learned query")
    for wrong, phrase in [("LSTM alone", "differs in almost everything"), ("CNN + max pooling", "two things"),
                          ("CNN + mean pooling", "no query at all")]:
        assert not check("5.2-query-control", wrong)
        assert phrase in capsys.readouterr().out
