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


import torch  # noqa: E402


def sentence_pool(sentences, mask, W, b, u_s):
    scores = torch.tanh(sentences @ W.T + b) @ u_s
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return (weights.unsqueeze(-1) * sentences).sum(1), weights


def test_sentence_pooling_accepts_the_solution(capsys):
    assert check("4.3-sentence-pooling", sentence_pool)
    assert "Correct" in capsys.readouterr().out


def test_sentence_pooling_agrees_with_the_package():
    from attnlab.exercises.hierarchical import _pool_inputs
    from attnlab.pooling import AttentionPooling
    sentences, mask, W, b, u_s = _pool_inputs()
    pool = AttentionPooling(3, score="tanh").double()
    with torch.no_grad():
        pool.key_proj.weight.copy_(W), pool.key_proj.bias.copy_(b), pool.query.copy_(u_s)
    expected = pool.attend(sentences, mask)
    for mine, theirs in zip(sentence_pool(sentences, mask, W, b, u_s), expected):
        torch.testing.assert_close(mine, theirs)


def _unmasked(s, m, W, b, u):
    return sentence_pool(s, torch.ones_like(m), W, b, u)


def _no_tanh(s, m, W, b, u):
    weights = torch.softmax((s @ W.T + b) @ u + torch.where(m, 0.0, float("-inf")), dim=-1)
    return (weights.unsqueeze(-1) * s).sum(1), weights


@pytest.mark.parametrize("mistake, phrase", [
    (_unmasked, "empty (padding) sentences get weight"),
    (_no_tanh, "skip the tanh"),
    (lambda s, m, W, b, u: sentence_pool(s, m, W.T, b, u), "applied transposed"),
    (lambda s, m, W, b, u: (s.mean(1), sentence_pool(s, m, W, b, u)[1]), "plain mean"),
    (lambda s, m, W, b, u: sentence_pool(s, m, W, b, u)[0], "a pair (document, weights)"),
    (lambda s, m, W, b, u: (sentence_pool(s, m, W, b, u)[0][:, :2], sentence_pool(s, m, W, b, u)[1]), "shape"),
    (lambda s, m, W, b, u: (sentence_pool(s, m, W, b, u)[0] * float("nan"), sentence_pool(s, m, W, b, u)[1]), "NaN"),
    (lambda s, m, W, b, u: None, "returned None"),
    (lambda s, m, W, b, u: 1 / 0, "ZeroDivisionError"),
])
def test_sentence_pooling_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.3-sentence-pooling", mistake)
    assert phrase in capsys.readouterr().out
