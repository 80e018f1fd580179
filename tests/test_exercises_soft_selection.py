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
    assert not check("1.1-temperature", "unchanged")
    assert "ranking of the patches is unchanged" in capsys.readouterr().out
    assert not check("1.1-temperature", None)
    assert "is None" in capsys.readouterr().out
    assert not check("1.1-temperature", "peaked")
    assert "not one of the options" in capsys.readouterr().out


def _masked_softmax(scores, mask):
    filled = scores.masked_fill(~mask, float("-inf")).masked_fill(~mask.any(-1, keepdim=True), 0.0)
    return torch.softmax(filled, -1).masked_fill(~mask, 0.0)


def test_masked_softmax_accepts_the_solution(capsys):
    assert check("1.1-masked-softmax", _masked_softmax)
    assert "matches attnlab.attention.masked_softmax" in capsys.readouterr().out


def test_masked_softmax_names_each_typical_mistake(capsys):
    mistakes = {
        "your weights there are NaN": lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), -1),
        "the mask changed nothing": lambda s, m: torch.softmax(s, -1),
        "wrong way round": lambda s, m: _masked_softmax(s, ~m),
        "e^0 = 1": lambda s, m: torch.softmax(s * m, -1),
        "no longer sum to 1": lambda s, m: torch.softmax(s, -1) * m,
        "never uniform ones": lambda s, m: torch.where(m.any(-1, keepdim=True), _masked_softmax(s, m),
                                                       torch.full_like(s, 1 / s.shape[-1])),
        "ends with `return weights`": lambda s, m: None,
        "but it should have shape (4, 6)": lambda s, m: _masked_softmax(s, m)[0],
        "raised RuntimeError": lambda s, m: s @ m,
    }
    for phrase, answer in mistakes.items():
        assert not check("1.1-masked-softmax", answer)
        assert phrase in capsys.readouterr().out, phrase
