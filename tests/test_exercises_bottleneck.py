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


def test_gru_parameters_accepts_the_count(capsys):
    import torch
    count = sum(p.numel() for p in torch.nn.GRU(32, 128).parameters())
    assert count == 3 * (32 * 128 + 128 * 128 + 2 * 128)
    assert check("1.2-gru-parameters", count)
    assert "square of its width" in capsys.readouterr().out


def test_gru_parameters_names_each_typical_mistake(capsys):
    d_in, d = 32, 128
    mistakes = {
        "forgot the biases": 3 * (d_in * d + d * d),
        "TWO bias vectors": 3 * (d_in * d + d * d + d),
        "That is one gate": d_in * d + d * d + 2 * d,
        "Four gates is an LSTM": 4 * (d_in * d + d * d + 2 * d),
        "only the state-to-state weights": 3 * d * d,
        "is not it": 1000,
        "is None": None,
    }
    for phrase, answer in mistakes.items():
        assert not check("1.2-gru-parameters", answer)
        assert phrase in capsys.readouterr().out, phrase
