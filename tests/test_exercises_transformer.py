"""The checkers of transformer.ipynb accept the solutions and explain typical mistakes."""

import pytest

from attnlab.exercises import check


def sublayer(x, f, norm, norm_first):
    return x + f(norm(x)) if norm_first else norm(x + f(x))


def test_sublayer_accepts_the_solution(capsys):
    assert check("7.1-sublayer", sublayer)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, f, norm, nf: sublayer(x, f, norm, not nf), "the other order"),
    (lambda x, f, norm, nf: f(norm(x)), "residual connection is missing"),
    (lambda x, f, norm, nf: x + f(x), "LayerNorm is missing"),
    (lambda x, f, norm, nf: norm(x) + f(norm(x)) if nf else norm(x + f(x)), "not norm(x)"),
    (lambda x, f, norm, nf: sublayer(x, f, norm, nf) + 0.1, "off by up to"),
    (lambda x, f, norm, nf: sublayer(x, f, norm, nf)[0], "shape"),
    (lambda x, f, norm, nf: None, "None"),
    (lambda x, f, norm, nf: 1 / 0, "ZeroDivisionError"),
])
def test_sublayer_explains_mistakes(mistake, phrase, capsys):
    assert not check("7.1-sublayer", mistake)
    assert phrase in capsys.readouterr().out


def test_three_way_tying(capsys):
    assert check("7.1-three-way-tying", 2 * 37_000 * 512)
    for wrong, phrase in ((37_000 * 512, "That is one matrix"), (3 * 37_000 * 512, "all three"), (None, "None")):
        assert not check("7.1-three-way-tying", wrong)
        assert phrase in capsys.readouterr().out
