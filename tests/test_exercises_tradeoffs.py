"""The checker of tradeoffs.ipynb accepts the solution and explains typical mistakes."""

import math

from attnlab.complexity import attention_flops, attention_parameters, cnn_parameters, rnn_flops
from attnlab.exercises import check


def solution(d, kind):
    return max(1, ({"rnn": 1, "gru": 3, "lstm": 4}[kind] - 2) * d + 1)


def search(d, kind):
    return next(n for n in range(1, 10 * d) if attention_flops(n, d) > rnn_flops(n, d, kind))


def test_accepts_the_solution_and_a_search(capsys):
    assert check("3.2-crossover", solution)
    assert check("3.2-crossover", search)
    assert "Correct" in capsys.readouterr().out


def test_rejects_typical_mistakes(capsys):
    mistakes = {
        "exactly the same FLOPs": lambda d, kind: max(1, ({"rnn": 1, "gru": 3, "lstm": 4}[kind] - 2) * d),
        "so the answer is n=1": lambda d, kind: ({"rnn": 1, "gru": 3, "lstm": 4}[kind] - 2) * d + 1,
        "solve for n": lambda d, kind: 1 if kind == "rnn" else 4 * d,
        "should be a number": lambda d, kind: "2d+1",
        "raised KeyError": lambda d, kind: {"lstm": 2 * d + 1}[kind],
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.2-crossover", mistake)
        assert phrase in capsys.readouterr().out, phrase


def kernel_solution(d):
    return next(k for k in range(1, 100) if cnn_parameters(d, k) > attention_parameters(d))


def test_kernel_width_accepts_the_solution_and_the_algebra(capsys):
    assert check("3.2-kernel-width", kernel_solution)
    assert check("3.2-kernel-width", lambda d: math.floor(4 + 3 / d) + 1)
    assert "Correct" in capsys.readouterr().out


def test_kernel_width_rejects_typical_mistakes(capsys):
    mistakes = {
        "the biases matter when d is small": lambda d: 5,
        "the biases tip the balance": lambda d: 4,
        "exactly as many parameters": lambda d: 5 if d == 3 else kernel_solution(d),
        "Solve k·d² + d > 4d² + 4d": lambda d: 9,
        "should be a number": lambda d: "five",
        "is None": lambda d: None,
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.2-kernel-width", mistake)
        assert phrase in capsys.readouterr().out, phrase
