"""The hand-written checker of disadvantages.ipynb (one step of online softmax) accepts the
solution and names typical mistakes; the declared exercises are covered by tests/test_exercises.py."""

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
