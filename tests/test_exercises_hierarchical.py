"""What the declarations of hierarchical.ipynb's exercises cannot say (tests/test_exercises.py
checks every declared reference and mistake): the exercise's pooling is the package's."""

import torch

from attnlab.exercises import check


def sentence_pool(sentences, mask, W, b, u_s):
    scores = torch.tanh(sentences @ W.T + b) @ u_s
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return (weights.unsqueeze(-1) * sentences).sum(1), weights


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
    assert check("4.3-sentence-pooling", sentence_pool)
