"""Attention with an external query (attnlab.models.external_query, chapter 2): a learned query,
or one computed from the input."""

import pytest
import torch

from attnlab.models.external_query import ExternalQueryClassifier
from attnlab.train import count_parameters


def test_the_learned_query_is_the_same_for_every_input():
    torch.manual_seed(0)
    model = ExternalQueryClassifier(15)
    tokens = torch.randint(1, 15, (4, 16))
    logits, weights = model.attend(tokens)
    x = model.embedding(tokens)
    output, expected = model.attention.attend(model.query.expand(4, 1, -1), x)
    torch.testing.assert_close(weights, expected[:, :, 0])
    torch.testing.assert_close(logits, model.head(output[:, 0]))
    assert weights.shape == (4, 2, 16) and torch.allclose(weights.sum(-1), torch.ones(4, 2))


def test_the_input_query_is_the_mean_embedding_and_follows_the_input():
    torch.manual_seed(0)
    model = ExternalQueryClassifier(15, query="input")
    tokens = torch.randint(1, 15, (4, 12))
    logits, weights = model.attend(tokens)
    x = model.embedding(tokens)
    output, expected = model.attention.attend(x.mean(dim=1, keepdim=True), x)
    torch.testing.assert_close(weights, expected[:, :, 0])
    torch.testing.assert_close(logits, model.head(output[:, 0]))
    # Change one token far from position 0: the query changes, so position 0's weight does too
    # (a learned query's scores for the unchanged positions would not move).
    changed = tokens.clone()
    changed[:, -1] = torch.where(tokens[:, -1] == 14, 13, 14)
    _, after = model.attend(changed)
    assert not torch.allclose(weights[..., :-1] / weights[..., :-1].sum(-1, keepdim=True),
                              after[..., :-1] / after[..., :-1].sum(-1, keepdim=True))
    learned = ExternalQueryClassifier(15)
    _, before_l = learned.attend(tokens)
    _, after_l = learned.attend(changed)
    torch.testing.assert_close(before_l[..., :-1] / before_l[..., :-1].sum(-1, keepdim=True),
                               after_l[..., :-1] / after_l[..., :-1].sum(-1, keepdim=True))


def test_the_input_query_adds_no_parameter():
    assert count_parameters(ExternalQueryClassifier(15, query="input")) == count_parameters(
        ExternalQueryClassifier(15)) - 32


def test_an_unknown_query_is_named():
    with pytest.raises(ValueError, match="query must be one of 'learned', 'input'"):
        ExternalQueryClassifier(15, query="decoder")
