"""Single-layer and hierarchical attention classifiers: shapes, weights, masking, and that they learn."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.pooling import AttentionPooling
from attnlab.models.hierarchical import FlatAttentionClassifier, HierarchicalAttentionClassifier
from attnlab.train import count_parameters, fit


def random_tokens(seed, batch=4, n_sentences=3, n_words=5, vocab=20):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(2, vocab, (batch, n_sentences, n_words), generator=g)
    lengths = torch.randint(0, n_words + 1, (batch, n_sentences), generator=g)
    lengths[:, 0] = torch.clamp(lengths[:, 0], min=1)  # every document has a word
    return tokens * (torch.arange(n_words) < lengths[..., None])


@pytest.mark.parametrize("model_class", [FlatAttentionClassifier, HierarchicalAttentionClassifier])
def test_logits_shape(model_class):
    assert model_class(20, 6, d=8)(random_tokens(0)).shape == (4, 6)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_hierarchical_weights_are_distributions_over_real_words_and_sentences(seed):
    tokens = random_tokens(seed)
    torch.manual_seed(seed)
    _, (word_weights, sentence_weights) = HierarchicalAttentionClassifier(20, 3, d=8).attend(tokens)
    has_words = (tokens != 0).any(-1)
    assert torch.allclose(word_weights.sum(-1)[has_words], torch.ones(int(has_words.sum())), atol=1e-6)
    assert (word_weights[tokens == 0] == 0).all() and (sentence_weights[~has_words] == 0).all()
    assert torch.allclose(sentence_weights.sum(-1), torch.ones(4), atol=1e-6)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_flat_weights_sum_to_one_over_the_document(seed):
    tokens = random_tokens(seed)
    torch.manual_seed(seed)
    _, weights = FlatAttentionClassifier(20, 3, d=8).attend(tokens)
    assert weights.shape == tokens.shape and (weights[tokens == 0] == 0).all()
    assert torch.allclose(weights.sum((1, 2)), torch.ones(4), atol=1e-6)


@pytest.mark.parametrize("model_class", [FlatAttentionClassifier, HierarchicalAttentionClassifier])
def test_padding_does_not_change_the_prediction(model_class):
    torch.manual_seed(0)
    model = model_class(20, 3, d=8).eval()
    tokens = random_tokens(1)
    padded = torch.nn.functional.pad(tokens, (0, 3, 0, 2))  # more words per sentence, more sentences
    assert torch.allclose(model(tokens), model(padded), atol=1e-5)


def test_yangs_pool_is_the_weighted_average_of_tanh_scores():
    pool = AttentionPooling(4, score="tanh")
    items = torch.randn(2, 3, 5, 4)                       # any leading dimensions, as the word pool's
    mask = torch.ones(2, 3, 5, dtype=torch.bool)
    mask[1, 0, 2:], mask[1, 2] = False, False             # a short sentence, and a sentence of padding
    pooled, weights = pool.attend(items, mask)
    assert torch.allclose(pooled, (weights[..., None] * items).sum(-2), atol=1e-6)
    scores = torch.tanh(pool.key_proj(items)) @ pool.query
    expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), -1).nan_to_num()
    assert torch.allclose(weights, expected, atol=1e-6)
    assert (weights[1, 0, 2:] == 0).all() and (pooled[1, 2] == 0).all()


def test_hierarchical_has_one_more_pooling_layer():
    flat, hierarchical = FlatAttentionClassifier(100, 6, d=16), HierarchicalAttentionClassifier(100, 6, d=16)
    assert count_parameters(hierarchical) - count_parameters(flat) == 16 * 16 + 16 + 16


@pytest.mark.parametrize("model_class", [FlatAttentionClassifier, HierarchicalAttentionClassifier])
def test_learns_a_keyword_task(model_class):
    """Label = whether token 3 occurs anywhere: both models must learn it."""
    tokens = random_tokens(2, batch=400, vocab=12)
    labels = (tokens == 3).flatten(1).any(-1).long()
    torch.manual_seed(0)
    model = model_class(12, 2, d=16)
    history = fit(model, (tokens[:300], labels[:300]), val=(tokens[300:], labels[300:]), epochs=30,
                  lr=1e-2, batch_size=50, verbose=False)
    assert history.final > 0.9


@pytest.mark.parametrize("bad, error, message", [
    (torch.zeros(2, 3, dtype=torch.long), ValueError, r"tokens has shape \(2, 3\) but must have shape \(batch, n_sentences"),
    (torch.zeros(2, 3, 4), TypeError, r"tokens must be a long tensor of shape \(batch, n_sentences, n_words\)"),
    ("words", TypeError, r"tokens must be a long tensor of shape \(batch, n_sentences, n_words\)")])
def test_bad_tokens_are_named(bad, error, message):
    with pytest.raises(error, match=message):
        HierarchicalAttentionClassifier(20, 3, d=8)(bad)


def test_attend_gives_the_forward_logits_and_the_weights():
    tokens = random_tokens(5)
    torch.manual_seed(0)
    flat = FlatAttentionClassifier(20, 3, d=8).eval()
    logits, weights = flat.attend(tokens)
    torch.testing.assert_close(logits, flat(tokens))
    assert weights.shape == tokens.shape
    torch.testing.assert_close(weights.sum((1, 2)), torch.ones(len(tokens)))
    hierarchical = HierarchicalAttentionClassifier(20, 3, d=8).eval()
    logits, levels = hierarchical.attend(tokens)
    torch.testing.assert_close(logits, hierarchical(tokens))
    _, again = hierarchical.attend(tokens[:2])       # computed afresh: nothing stored between calls
    torch.testing.assert_close(again.words, levels.words[:2])
    document = levels.document()
    torch.testing.assert_close(document.sum((1, 2)), torch.ones(len(tokens)))
    assert (document[tokens == 0] == 0).all()


def test_attend_keeps_no_state():
    tokens = random_tokens(6)
    model = HierarchicalAttentionClassifier(20, 3, d=8)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    model.attend(tokens)
    assert set(vars(model)) == set(vars(HierarchicalAttentionClassifier(20, 3, d=8)))
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())
