"""The checkers of internal-external.ipynb accept the solutions and reject typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


@pytest.mark.parametrize("answer", ["IEEEI", "ieeei", " IEEEI "])
def test_accepts_the_solution(answer, capsys):
    assert check("4.2-internal-external", answer)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    ("IEEII", "(4) a learned pooling vector is a parameter"),       # "nobody gave it a query"
    ("IEEEE", "(5) masked self-attention"),                         # decoder = external?
    ("EEEEI", "(1) the encoder's queries"),
    ("IIEEI", "(2) the decoder state"),
    ("IEE", "not one of the options"),
    ("IEXEI", "not one of the options"),
    (5, "should be one of the strings"),
    (None, "is None"),
])
def test_rejects_mistakes(answer, phrase, capsys):
    assert not check("4.2-internal-external", answer)
    assert phrase in capsys.readouterr().out


def readout(question, states, mask, W_q, W_k):
    query = question @ W_q.T
    keys = states @ W_k.T
    scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / states.shape[-1] ** 0.5
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return question + (weights.unsqueeze(-1) * states).sum(1), weights


def test_question_readout_accepts_the_solution(capsys):
    assert check("4.2-question-readout", readout)
    assert "Correct" in capsys.readouterr().out


def _unmasked(q, h, m, wq, wk):
    return readout(q, h, torch.ones_like(m), wq, wk)


def _unscaled(q, h, m, wq, wk):
    read, weights = readout(q * h.shape[-1] ** 0.5, h, m, wq, wk)
    return q + (weights.unsqueeze(-1) * h).sum(1), weights


@pytest.mark.parametrize("mistake, phrase", [
    (_unmasked, "padding positions get weight"),
    (_unscaled, "unscaled scores"),
    (lambda q, h, m, wq, wk: readout(q, h, m, wq.T, wk.T), "without transposing"),
    (lambda q, h, m, wq, wk: (readout(q, h, m, wq, wk)[1].unsqueeze(-1) * h).sum(1), "a pair (read, weights)"),
    (lambda q, h, m, wq, wk: ((lambda w: ((w.unsqueeze(-1) * h).sum(1), w))(readout(q, h, m, wq, wk)[1])),
     "weighted average alone"),
    (lambda q, h, m, wq, wk: (readout(q, h, m, wq, wk)[0], readout(q, h, m, wq, wk)[1][:, :3]), "shape"),
    (lambda q, h, m, wq, wk: (readout(q, h, m, wq, wk)[0], torch.full((3, 5), float("nan"))), "NaN"),
    (lambda q, h, m, wq, wk: None, "is None"),
    (lambda q, h, m, wq, wk: 1 / 0, "ZeroDivisionError"),
])
def test_question_readout_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.2-question-readout", mistake)
    assert phrase in capsys.readouterr().out
