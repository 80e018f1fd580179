"""The checker of tradeoffs.ipynb accepts the solution and explains typical mistakes."""

from attnlab.complexity import attention_flops, rnn_flops
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
