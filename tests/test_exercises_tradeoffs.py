"""What the declarations of tradeoffs.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): the closed forms equal a search with the package's counts."""

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


def kernel_solution(d):
    return next(k for k in range(1, 100) if cnn_parameters(d, k) > attention_parameters(d))


def test_kernel_width_accepts_the_solution_and_the_algebra(capsys):
    assert check("3.2-kernel-width", kernel_solution)
    assert check("3.2-kernel-width", lambda d: math.floor(4 + 3 / d) + 1)
    assert "Correct" in capsys.readouterr().out
