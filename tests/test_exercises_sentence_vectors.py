"""The checkers of sentence-vectors.ipynb accept the solutions and explain typical mistakes."""

import math

import pytest
import torch

from attnlab.exercises import check


def masked_mean(states, mask):
    weights = mask.to(states.dtype)
    return (weights.unsqueeze(-1) * states).sum(1) / weights.sum(1, keepdim=True).clamp(min=1)


def test_masked_mean_accepts_the_solution(capsys):
    assert check("6.2-masked-mean", masked_mean)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda s, m: s.mean(1), "padding included"),
    (lambda s, m: (m.double().unsqueeze(-1) * s).sum(1) / s.shape[1], "divided by the padded length"),
    (lambda s, m: (m.double().unsqueeze(-1) * s).sum(1) / m.double().sum(1, keepdim=True), "0/0 = NaN"),
    (lambda s, m: s.sum(1), "off by up to"),
    (lambda s, m: s.mean(2), "has shape"),
    (lambda s, m: None, "is None"),
])
def test_masked_mean_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.2-masked-mean", mistake)
    assert phrase in capsys.readouterr().out


def attention_readout(states, query, keys, mask, scale=True, masked=True, dim=1):
    scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / (math.sqrt(query.shape[-1]) if scale else 1)
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")) if masked else scores, dim=dim)
    return (weights.unsqueeze(-1) * states).sum(1), weights


def test_attention_readout_accepts_the_solution(capsys):
    assert check("6.2-attention-readout", attention_readout)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda *a: attention_readout(*a, scale=False), "unscaled"),
    (lambda *a: attention_readout(*a, masked=False), "padding gets weight"),
    (lambda *a: attention_readout(*a, dim=0), "over dim=1"),
    (lambda s, q, k, m: ((attention_readout(s, q, k, m)[1].unsqueeze(-1) * s).mean(1), attention_readout(s, q, k, m)[1]),
     "weighted sum of the states"),
    (lambda *a: attention_readout(*a)[0], "return the pair"),
    (lambda *a: None, "returned None"),
])
def test_attention_readout_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.2-attention-readout", mistake)
    assert phrase in capsys.readouterr().out


def test_mean_share(capsys):
    assert check("6.2-mean-share", 0.1)
    for wrong, phrase in [(0.09, "off by one"), (0.9, "NOT seen"), (10, "number of states"), (0.5, "is not it")]:
        assert not check("6.2-mean-share", wrong)
        assert phrase in capsys.readouterr().out
