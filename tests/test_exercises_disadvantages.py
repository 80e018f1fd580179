"""The checkers of disadvantages.ipynb accept the solutions and explain typical mistakes."""

import torch

from attnlab.exercises import check


def online_step(running_max, normaliser, weighted, scores, values):
    new_max = torch.maximum(running_max, scores.amax(dim=1))
    rescale = torch.exp(running_max - new_max)
    p = torch.exp(scores - new_max[:, None])
    return new_max, normaliser * rescale + p.sum(dim=1), weighted * rescale[:, None] + p @ values


def no_rescale(running_max, normaliser, weighted, scores, values):
    new_max = torch.maximum(running_max, scores.amax(dim=1))
    p = torch.exp(scores - new_max[:, None])
    return new_max, normaliser + p.sum(dim=1), weighted + p @ values


def upside_down(running_max, normaliser, weighted, scores, values):
    new_max = torch.maximum(running_max, scores.amax(dim=1))
    rescale = torch.exp(new_max - running_max).nan_to_num(0.0)
    p = torch.exp(scores - new_max[:, None])
    return new_max, normaliser * rescale + p.sum(dim=1), weighted * rescale[:, None] + p @ values


def block_max_only(running_max, normaliser, weighted, scores, values):
    return (scores.amax(dim=1),) + online_step(running_max, normaliser, weighted, scores, values)[1:]


def test_online_softmax_accepts_the_solution(capsys):
    assert check("3.3-online-softmax", online_step)
    assert "Correct" in capsys.readouterr().out


def test_online_softmax_rejects_typical_mistakes(capsys):
    mistakes = {
        "multiply them by exp(old max - new max) first": no_rescale,
        "upside down": upside_down,
        "the running maximum is wrong": block_max_only,
        "should return three tensors": lambda m, l, w, s, v: (m, l),
        "is None": lambda m, l, w, s, v: None,
        "has shape": lambda m, l, w, s, v: online_step(m, l, w, s, v)[:2] + (online_step(m, l, w, s, v)[2].T,),
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.3-online-softmax", mistake)
        assert phrase in capsys.readouterr().out, phrase


def test_total_variation(capsys):
    assert check("3.3-total-variation", lambda p, q: 0.5 * (p - q).abs().sum(-1))
    assert "Correct" in capsys.readouterr().out
    mistakes = {
        "twice too large": lambda p, q: (p - q).abs().sum(-1),
        "largest |p_i - q_i|": lambda p, q: (p - q).abs().amax(-1),
        "differences cancel": lambda p, q: 0.5 * (p - q).sum(-1),
        "squared the differences": lambda p, q: 0.5 * ((p - q) ** 2).sum(-1),
        "off by up to": lambda p, q: 0.5 * (p - q).abs().sum(-1) + 0.1,
        "has shape": lambda p, q: 0.5 * (p - q).abs(),
        "is None": lambda p, q: None,
    }
    for phrase, mistake in mistakes.items():
        assert not check("3.3-total-variation", mistake)
        assert phrase in capsys.readouterr().out, phrase


def test_faithful(capsys):
    assert check("3.3-faithful", "The values")
    for wrong, phrase in [("the score function", "score with a learned query"),
                          ("the amount of training data", "both models fit"), ("attention", "not one of the options"),
                          (None, "is None")]:
        assert not check("3.3-faithful", wrong)
        assert phrase in capsys.readouterr().out, phrase
