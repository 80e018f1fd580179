"""The sentence classifiers of chapter 5 that differ only in their pooling."""

import pytest
import torch

from attnlab.models.sentence import POOLINGS, LSTMClassifier, LSTMQueryConvClassifier, PooledConvClassifier


def _tokens():
    tokens = torch.randint(1, 20, (4, 9), generator=torch.Generator().manual_seed(0))
    tokens[1, 5:] = 0                                        # right padding
    tokens[2, 1:] = 0
    return tokens


@pytest.mark.parametrize("pooling", POOLINGS)
def test_pooled_classifier_shapes_and_weights(pooling):
    torch.manual_seed(0)
    model = PooledConvClassifier(20, 3, d_embed=8, channels=6, pooling=pooling)
    tokens = _tokens()
    logits, weights = model.attend(tokens)
    assert logits.shape == (4, 3) and weights.shape == (4, 9)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(4))
    assert (weights[tokens == 0] == 0).all()                  # padding is never read
    torch.testing.assert_close(model(tokens), logits)


def test_max_pooling_classifier_equals_amax_over_the_words():
    torch.manual_seed(0)
    model = PooledConvClassifier(20, 2, d_embed=8, channels=6, pooling="max")
    tokens = _tokens()
    features = model.encoder(tokens).masked_fill((tokens == 0)[..., None], float("-inf"))
    torch.testing.assert_close(model(tokens), model.classifier(features.amax(dim=1)))


@pytest.mark.parametrize("model_class", [LSTMClassifier, LSTMQueryConvClassifier, PooledConvClassifier])
def test_padding_does_not_change_a_sentence(model_class):
    torch.manual_seed(0)
    model = model_class(20, 2)
    tokens = _tokens()
    longer = torch.cat([tokens, torch.zeros(4, 5, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(longer), model(tokens))
    logits, weights = model.attend(tokens)
    assert logits.shape == (4, 2) and weights.shape == (4, 9)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(4))
    assert (weights[tokens == 0] == 0).all()


def test_the_lstm_reads_up_to_the_last_word():
    torch.manual_seed(0)
    model = LSTMClassifier(20, 2)
    tokens = _tokens()
    logits, weights = model.attend(tokens)
    assert weights.argmax(dim=1).tolist() == [8, 4, 0, 8]
    # the logits come from the state after each sentence's last real word, read alone
    for i, n in enumerate([9, 5, 1, 9]):
        state = model.lstm(model.embedding(tokens[i:i + 1, :n]))[0][0, -1]
        torch.testing.assert_close(logits[i], model.classifier(state))
        torch.testing.assert_close(model(tokens)[i], model.classifier(state))


def test_the_lstm_query_changes_the_weights():
    torch.manual_seed(0)
    model = LSTMQueryConvClassifier(20, 2)
    tokens = _tokens()
    embeddings = model.encoder.embedding(tokens)
    features = model.encoder.convolve(embeddings)
    query = torch.randn(4, 64)
    _, a = model.attention.attend(features, tokens != 0, query)
    _, b = model.attention.attend(features, tokens != 0, -query)
    assert not torch.allclose(a, b)


def test_bad_tokens_are_named():
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, seq_len\)"):
        PooledConvClassifier(20, 2)(torch.randn(2, 5))
    with pytest.raises(ValueError, match="pooling must be one of"):
        PooledConvClassifier(20, 2, pooling="sum")
