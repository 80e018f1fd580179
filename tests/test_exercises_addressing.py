"""The checkers of addressing.ipynb accept the solutions and explain typical mistakes."""

import torch

from attnlab.attention import masked_softmax
from attnlab.exercises import check


def solution(query, keys, values, temperature):
    return masked_softmax(keys @ query / temperature) @ values


def test_soft_read_accepts_the_solution(capsys):
    assert check("3.1-soft-read", solution)
    assert "Correct" in capsys.readouterr().out


def test_soft_read_rejects_typical_mistakes(capsys):
    mistakes = {
        "divide the scores by the temperature": lambda q, k, v, t: masked_softmax(k @ q) @ v,
        "the softmax) is missing": lambda q, k, v, t: (k @ q / t) @ v,
        "you averaged the keys": lambda q, k, v, t: (masked_softmax(k @ q / t) @ k)[:3],
        "a hard read": lambda q, k, v, t: v[(k @ q).argmax()],
        "off by up to": lambda q, k, v, t: masked_softmax(k @ q / t) @ v * 2,
        "has shape": lambda q, k, v, t: masked_softmax(k @ q / t)[:, None] * v,
        "ends with `return`": lambda q, k, v, t: None,
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.1-soft-read", mistake)
        assert phrase in capsys.readouterr().out, phrase


def test_bandwidth_limit(capsys):
    assert check("3.1-bandwidth-limit", "The nearest other point's target ")
    assert not check("3.1-bandwidth-limit", "its own target")
    assert "leave-one-out mask hides" in capsys.readouterr().out
    assert not check("3.1-bandwidth-limit", "the mean of all targets")
    assert "large* bandwidth" in capsys.readouterr().out
    assert not check("3.1-bandwidth-limit", "zero")
    assert "not one of the options" in capsys.readouterr().out
    assert not check("3.1-bandwidth-limit", None)
    assert "still None: set it to one of the strings" in capsys.readouterr().out
