"""The checker of internal-external.ipynb accepts the solution and rejects typical mistakes."""

import pytest

from attnlab.exercises import check


@pytest.mark.parametrize("answer", ["IEEEI", "ieeei", " I E E E I ", "I,E,E,E,I"])
def test_accepts_the_solution(answer, capsys):
    assert check("4.2-internal-external", answer)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    ("IEEII", "(4) a learned pooling vector is a parameter"),       # "nobody gave it a query"
    ("IEEEE", "(5) masked self-attention"),                         # decoder = external?
    ("EEEEI", "(1) the encoder's queries"),
    ("IIEEI", "(2) the decoder state"),
    ("IEE", "exactly five letters"),
    ("IEXEI", "exactly five letters"),
    (5, "should be a string"),
    (None, "is None"),
])
def test_rejects_mistakes(answer, phrase, capsys):
    assert not check("4.2-internal-external", answer)
    assert phrase in capsys.readouterr().out
