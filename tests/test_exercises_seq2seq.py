"""The checkers of seq2seq.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def bahdanau_attention(s_prev, states, mask, W, U, v):
    scores = torch.tanh(s_prev[:, None, :] @ W.T + states @ U.T) @ v
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return weights, (weights[:, :, None] * states).sum(dim=1)


def _scores(s, h, W, U, v):
    return torch.tanh(s[:, None, :] @ W.T + h @ U.T) @ v


def _pair(weights, h):
    return weights, (weights[:, :, None] * h).sum(1)


def phoneme_error_rate(prediction, reference):
    previous = list(range(len(reference) + 1))
    for i, p in enumerate(prediction, 1):
        current = [i]
        for j, r in enumerate(reference, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (p != r)))
        previous = current
    return previous[-1] / len(reference)


def test_additive_step_accepts_the_solution(capsys):
    assert check("6.3-additive-attention-step", bahdanau_attention)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda s, h, m, W, U, v: _pair(torch.softmax(_scores(s, h, W, U, v), -1), h), "padded positions get weight"),
    (lambda s, h, m, W, U, v: _pair(torch.softmax((_scores(s, h, W, U, v)) * m, -1), h), "not -inf"),
    (lambda s, h, m, W, U, v: _pair(torch.softmax(((s[:, None] @ W.T + h @ U.T) @ v).masked_fill(~m, -1e30), -1), h),
     "without the tanh"),
    (lambda s, h, m, W, U, v: _pair(torch.softmax(_scores(s, h, W, U, v).masked_fill(~m, float("-inf")), 0), h),
     "runs over the batch"),
    (lambda s, h, m, W, U, v: (bahdanau_attention(s, h, m, W, U, v)[0],
                               (bahdanau_attention(s, h, m, W, U, v)[0][:, :, None] * h).mean(1)), "your context"),
    (lambda s, h, m, W, U, v: bahdanau_attention(s, h, m, W, U, v)[0], "pair"),
    (lambda s, h, m, W, U, v: None, "is None"),
    (lambda s, h, m, W, U, v: 1 / 0, "ZeroDivisionError"),
])
def test_additive_step_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.3-additive-attention-step", mistake)
    assert phrase in capsys.readouterr().out


def test_phoneme_error_rate_accepts_the_solution(capsys):
    assert check("6.3-phoneme-error-rate", phoneme_error_rate)
    assert "Correct" in capsys.readouterr().out


def _hamming(p, r):
    return (sum(a != b for a, b in zip(p, r)) + abs(len(p) - len(r))) / len(r)


@pytest.mark.parametrize("mistake, phrase", [
    (_hamming, "position by position"),
    (lambda p, r: phoneme_error_rate(p, r) * len(r) / max(len(p), 1), "length of the reference"),
    (lambda p, r: phoneme_error_rate(p, r) * len(r), "edit distance itself"),
    (lambda p, r: 0.0, "the rate is"),
    (lambda p, r: None, "is None"),
    (lambda p, r: "0.5", "should be a number"),
])
def test_phoneme_error_rate_explains_mistakes(capsys, mistake, phrase):
    assert not check("6.3-phoneme-error-rate", mistake)
    assert phrase in capsys.readouterr().out
