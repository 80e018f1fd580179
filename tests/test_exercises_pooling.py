"""The checkers of pooling.ipynb accept the solutions and explain typical mistakes."""

import math

import pytest
import torch

from attnlab.exercises import check


def masked_softmax_pool(features, temperature, mask):
    scores = (features / temperature).masked_fill(~mask[..., None], float("-inf"))
    weights = torch.softmax(scores, dim=1)
    return (weights * features).sum(dim=1)


def pooling_gradient(features, temperature):
    weights = torch.softmax(features / temperature, dim=0)
    pooled = (weights * features).sum(dim=0)
    return weights * (1 + (features - pooled) / temperature)


def test_masked_softmax_pool_accepts_the_solution(capsys):
    assert check("5.1-masked-softmax-pool", masked_softmax_pool)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda f, t, m: (torch.softmax(f / t, dim=1) * f).sum(dim=1), "padded positions still get weight"),
    (lambda f, t, m: (torch.softmax(f * m[..., None] / t, dim=1) * f * m[..., None]).sum(dim=1), "not -inf"),
    (lambda f, t, m: (torch.softmax((f / t).masked_fill(~m[..., None], float("-inf")), dim=2).nan_to_num(0.0)
                      * f).sum(dim=1), "runs over the channels"),
    (lambda f, t, m: masked_softmax_pool(f, 1.0, m), "ignores the temperature"),
    (lambda f, t, m: masked_softmax_pool(f, 1 / t, m), "multiplies by the temperature"),
    (lambda f, t, m: (f * m[..., None]).sum(1) / m.sum(1, keepdim=True), "mean of the unmasked positions"),
    (lambda f, t, m: masked_softmax_pool(f, t, m) + 0.1, "off by up to"),
    (lambda f, t, m: f.amax(dim=1), "off by up to"),
    (lambda f, t, m: masked_softmax_pool(f, t, m)[0], "has shape"),
    (lambda f, t, m: None, "is None"),
])
def test_masked_softmax_pool_explains_mistakes(capsys, mistake, phrase):
    assert not check("5.1-masked-softmax-pool", mistake)
    assert phrase in capsys.readouterr().out


def test_pooling_gradient_accepts_the_solution(capsys):
    assert check("5.1-softmax-pool-gradient", pooling_gradient)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda f, t: torch.softmax(f / t, dim=0), "returned the weights alone"),
    (lambda f, t: torch.softmax(f / t, dim=0) * (1 + f - (torch.softmax(f / t, dim=0) * f).sum(0)),
     "divided by the temperature"),
    (lambda f, t: torch.softmax(f / t, dim=0) * (f - (torch.softmax(f / t, dim=0) * f).sum(0)) / t,
     "the term weights * 1"),
    (lambda f, t: pooling_gradient(f.T, t).T, "off by up to"),
    (lambda f, t: torch.zeros(4, 6), "has shape"),
    (lambda f, t: 1 / 0, "ZeroDivisionError"),
])
def test_pooling_gradient_explains_mistakes(capsys, mistake, phrase):
    assert not check("5.1-softmax-pool-gradient", mistake)
    assert phrase in capsys.readouterr().out


def test_temperature_bound(capsys):
    assert check("5.1-temperature-bound", math.e * 1e-3 / 49)
    assert not check("5.1-temperature-bound", 1e-3 / 49)
    assert "dropped the e" in capsys.readouterr().out
    assert not check("5.1-temperature-bound", math.e * 1e-3 / 50)
    assert "n - 1 = 49" in capsys.readouterr().out


def test_temperature_bound_praise_calls_it_a_bound_not_the_worst_case(capsys):
    assert check("5.1-temperature-bound", math.e * 1e-3 / 49)
    out = capsys.readouterr().out
    assert "the bound guarantees" in out and "not the worst case" in out
