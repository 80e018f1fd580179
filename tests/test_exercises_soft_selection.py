"""The checkers of soft-selection.ipynb accept the solutions and reject typical mistakes."""

import math

import torch

from attnlab.exercises import check


def _attend(query, keys, values):
    return torch.softmax(keys @ query / math.sqrt(query.shape[0]), dim=0) @ values


def test_weighted_average_accepts_the_solution(capsys):
    assert check("1.1-weighted-average", _attend)
    assert "matches attnlab.attention" in capsys.readouterr().out


def test_weighted_average_names_each_typical_mistake(capsys):
    mistakes = {
        "forgot to divide the scores by sqrt(d_k)": lambda q, k, v: torch.softmax(k @ q, 0) @ v,
        "weighted average of the values": lambda q, k, v: torch.softmax(k @ q / 2, 0) @ k,
        "plain mean of the values": lambda q, k, v: v.mean(0),
        "raw scores": lambda q, k, v: (k @ q / 2) @ v,
        "should return one vector": lambda q, k, v: torch.softmax(k @ q / 2, 0)[:, None] * v,
        "is None": lambda q, k, v: None,
    }
    for phrase, attend in mistakes.items():
        assert not check("1.1-weighted-average", attend)
        assert phrase in capsys.readouterr().out, phrase


def test_temperature_prediction(capsys):
    assert check("1.1-temperature", " Uniform ")
    assert not check("1.1-temperature", "one-hot")
    assert "very LOW temperature" in capsys.readouterr().out
    assert not check("1.1-temperature", "all zero")
    assert "always sum to 1" in capsys.readouterr().out
    assert not check("1.1-temperature", None)
    assert "You have not predicted yet" in capsys.readouterr().out
    assert not check("1.1-temperature", "peaked")
    assert "not one of the options" in capsys.readouterr().out
