"""The checkers of addressing.ipynb accept the solutions and explain typical mistakes."""

import torch

from attnlab.exercises import check


def solution(query_x, key_x, values, bandwidth):
    scores = -(query_x[:, None] - key_x[None, :]) ** 2 / (2 * bandwidth ** 2)
    return torch.softmax(scores, dim=1) @ values


def test_nadaraya_watson_accepts_the_solution(capsys):
    assert check("3.1-nadaraya-watson", solution)
    assert "Correct" in capsys.readouterr().out


def test_nadaraya_watson_rejects_typical_mistakes(capsys):
    def distance(q, k):
        return q[:, None] - k[None, :]
    mistakes = {
        "not h²": lambda q, k, v, h: torch.softmax(-distance(q, k) ** 2 / h ** 2, 1) @ v,
        "square the bandwidth": lambda q, k, v, h: torch.softmax(-distance(q, k) ** 2 / (2 * h), 1) @ v,
        "need a minus sign": lambda q, k, v, h: torch.softmax(distance(q, k) ** 2 / (2 * h ** 2), 1) @ v,
        "uses its square": lambda q, k, v, h: torch.softmax(-distance(q, k).abs() / (2 * h ** 2), 1) @ v,
        "not normalised": lambda q, k, v, h: torch.exp(-distance(q, k) ** 2 / (2 * h ** 2)) @ v,
        "hard read": lambda q, k, v, h: v[(-distance(q, k) ** 2).argmax(1)],
        "off by up to": lambda q, k, v, h: solution(q, k, v, h) + 0.1,
        "has shape": lambda q, k, v, h: torch.softmax(-distance(q, k) ** 2 / (2 * h ** 2), 1),
        "ends with `return`": lambda q, k, v, h: None,
        "raised": lambda q, k, v, h: q @ k,
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.1-nadaraya-watson", mistake)
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
    assert "is None" in capsys.readouterr().out
