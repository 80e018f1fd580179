"""The checkers of decoding.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def greedy_step(logits, done, eos):
    tokens = logits.argmax(-1).masked_fill(done, 0)
    return tokens, done | (tokens == eos)


def test_greedy_step_accepts_the_solution(capsys):
    assert check("6.4-greedy-step", greedy_step)
    assert "Correct" in capsys.readouterr().out


def _late_mask(logits, done, eos):
    tokens = logits.argmax(-1)
    done = done | (tokens == eos)
    return tokens.masked_fill(done, 0), done


@pytest.mark.parametrize("mistake, phrase", [
    (lambda l, d, e: (l.argmax(-1), d | (l.argmax(-1) == e)), "must emit padding"),
    (_late_mask, "must be kept"),
    (lambda l, d, e: (l.argmax(0)[:5], d), "over the batch"),
    (lambda l, d, e: (l.max(-1).values, d), "not whole numbers"),
    (lambda l, d, e: (greedy_step(l, d, e)[0], greedy_step(l, d, e)[0] == e), "forgets the phrases"),
    (lambda l, d, e: (greedy_step(l, d, e)[0], d), "done should be"),
    (lambda l, d, e: greedy_step(l, d, e)[0], "pair of tensors"),
    (lambda l, d, e: (greedy_step(l, d, e)[0][:3], d), "shape"),
    (lambda l, d, e: None, "is None"),
    (lambda l, d, e: 1 / 0, "ZeroDivisionError"),
])
def test_greedy_step_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.4-greedy-step", mistake)
    assert phrase in capsys.readouterr().out


def beam_step(scores, log_probs, beam_size):
    total = (scores[:, None] + log_probs).reshape(-1)
    new_scores, index = total.topk(beam_size)
    return new_scores, index // log_probs.shape[1], index % log_probs.shape[1]


def test_beam_step_accepts_the_solution(capsys):
    assert check("6.4-beam-step", beam_step)
    assert "Correct" in capsys.readouterr().out


def _per_row(scores, log_probs, beam_size):
    best, token = log_probs.max(-1)
    new_scores, origin = (scores + best).topk(beam_size)
    return new_scores, origin, token[origin]


@pytest.mark.parametrize("mistake, phrase", [
    (lambda s, l, k: beam_step(torch.zeros_like(s), l, k), "TOTAL log-probability"),
    (_per_row, "single best continuation"),
    (lambda s, l, k: (beam_step(s, l, k)[0], beam_step(s, l, k)[2], beam_step(s, l, k)[1]), "swapped"),
    (lambda s, l, k: tuple(x.flip(0) for x in beam_step(s, l, k)), "best first"),
    (lambda s, l, k: beam_step(s, l, k)[:2], "three tensors"),
    (lambda s, l, k: None, "is None"),
    (lambda s, l, k: (beam_step(s, l, k)[0], beam_step(s, l, k)[1], beam_step(s, l, k)[2] + 1), "origins or tokens"),
])
def test_beam_step_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.4-beam-step", mistake)
    assert phrase in capsys.readouterr().out
