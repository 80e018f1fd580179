"""The checker of bottleneck.ipynb accepts the solution and rejects typical mistakes."""

import math

from attnlab.exercises import check


def test_bits_accepts_the_solution(capsys):
    assert check("1.2-bits", lambda n_pairs, n_values: n_pairs * math.log2(n_values))
    assert "grows linearly" in capsys.readouterr().out


def test_bits_names_each_typical_mistake(capsys):
    mistakes = {
        "natural logarithm": lambda n, v: n * math.log(v),
        "information in ONE value": lambda n, v: math.log2(v),
        "counts possible values, not bits": lambda n, v: n * v,
        "is its log2": lambda n, v: v ** n,
        "but it should be": lambda n, v: n * math.log2(v) + 1,
        "is None": lambda n, v: None,
        "should be a number": lambda n, v: "lots",
    }
    for phrase, bits in mistakes.items():
        assert not check("1.2-bits", bits)
        assert phrase in capsys.readouterr().out, phrase
