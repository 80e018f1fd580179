"""The hand-written checker of soft-selection.ipynb (the masked softmax) accepts the solution and
names typical mistakes; the declared exercises are covered by tests/test_exercises.py."""

import torch

from attnlab.exercises import check


def _masked_softmax(scores, mask):
    filled = scores.masked_fill(~mask, float("-inf")).masked_fill(~mask.any(-1, keepdim=True), 0.0)
    return torch.softmax(filled, -1).masked_fill(~mask, 0.0)


def test_masked_softmax_accepts_the_solution(capsys):
    assert check("1.1-masked-softmax", _masked_softmax)
    assert "matches attnlab.attention.masked_softmax" in capsys.readouterr().out


def test_masked_softmax_names_each_typical_mistake(capsys):
    mistakes = {
        "your weights there are NaN": lambda s, m: torch.softmax(s.masked_fill(~m, float("-inf")), -1),
        "the mask changed nothing": lambda s, m: torch.softmax(s, -1),
        "wrong way round": lambda s, m: _masked_softmax(s, ~m),
        "e^0 = 1": lambda s, m: torch.softmax(s * m, -1),
        "no longer sum to 1": lambda s, m: torch.softmax(s, -1) * m,
        "never uniform ones": lambda s, m: torch.where(m.any(-1, keepdim=True), _masked_softmax(s, m),
                                                       torch.full_like(s, 1 / s.shape[-1])),
        "ends with `return weights`": lambda s, m: None,
        "but it should have shape (4, 6)": lambda s, m: _masked_softmax(s, m)[0],
        "raised RuntimeError": lambda s, m: s @ m,
    }
    for phrase, answer in mistakes.items():
        assert not check("1.1-masked-softmax", answer)
        assert phrase in capsys.readouterr().out, phrase
