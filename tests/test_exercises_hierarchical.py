"""The checker of hierarchical.ipynb accepts the solution and rejects typical mistakes."""

import pytest

from attnlab.exercises import check


def test_document_weights_accepts_the_solution(capsys):
    assert check("4.3-document-weights", lambda words, sentences: sentences[:, None] * words)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda words, sentences: words * sentences, "weight of sentence j"),
    (lambda words, sentences: words + sentences[:, None], "you added the weights"),
    (lambda words, sentences: words, "sum to 3.000"),
    (lambda words, sentences: words / 3, "off by up to"),
    (lambda words, sentences: sentences, "shape (3,), but it should have shape (3, 3)"),
    (lambda words, sentences: None, "is None"),
])
def test_document_weights_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.3-document-weights", mistake)
    assert phrase in capsys.readouterr().out
