"""attnlab.data.reviews and attnlab.models.internal_external (chapter 4, internal vs external)."""

import pytest
import torch

from attnlab.data.reviews import ACTING_WORDS, load_reviews, sentiment_words, tokenize
from attnlab.models.internal_external import TwoTaskReader


def test_tokenize():
    assert tokenize("Isn't it GREAT? A '70s film.") == ["isn't", "it", "great", "a", "s", "film"]


def test_load_reviews_splits_and_labels():
    train, test = load_reviews(max_len=16, min_count=3)
    assert len(train.texts) + len(test.texts) == 7403 + 5405
    assert train.tokens.shape[1] == 16 and train.tokens.max() < len(train.vocabulary)
    assert set(train.sentiment.tolist()) == {0, 1}
    for i in range(50):
        has_acting = any(w in ACTING_WORDS for w in tokenize(train.texts[i])[:16])
        assert train.acting[i].item() == has_acting


def test_external_query_moves_external_weights_only():
    torch.manual_seed(0)
    reader = TwoTaskReader(vocab_size=20, n_tasks=2, d_model=8)
    tokens = torch.tensor([[3, 4, 5, 6, 0, 0], [7, 8, 9, 0, 0, 0]])
    logits = reader(tokens)
    assert logits.shape == (2, 2, 2)
    _, internal_a, external_a = reader.attend(tokens, torch.randn(1, 8))
    _, internal_b, external_b = reader.attend(tokens, torch.randn(1, 8))
    assert torch.equal(internal_a, internal_b) and not torch.allclose(external_a, external_b)
    assert torch.allclose(external_a.sum(-1), torch.ones(2, 1))
    assert (external_a[..., 4:] == 0).all() and (internal_a[0, :, 4:] == 0).all()   # padding gets no weight


def test_bad_input():
    reader = TwoTaskReader(vocab_size=20, d_model=8)
    with pytest.raises(ValueError, match="tokens must be an integer tensor"):
        reader(torch.zeros(3))
    with pytest.raises(ValueError, match="queries has shape"):
        reader.attend(torch.ones(1, 3, dtype=torch.long), torch.zeros(1, 5))


def test_sentiment_words_lean_to_one_side_and_exclude_acting_words():
    train, _ = load_reviews(max_len=16, min_count=3)
    ids = sentiment_words(train, n_words=20, min_count=15)
    assert ids.shape == (20,) and ids.dtype == torch.long and len(set(ids.tolist())) == 20
    assert not any(train.vocabulary[i] in ACTING_WORDS for i in ids.tolist()) and (ids >= 2).all()
    fresh_rate = [(train.tokens[train.sentiment == 1] == i).sum() / (train.tokens == i).sum() for i in ids]
    overall = train.sentiment.float().mean()
    # every chosen word is used noticeably more often by one side than the base rate
    assert all(abs(rate.item() - overall.item()) > 0.15 for rate in fresh_rate)
    with pytest.raises(ValueError, match="n_words"):
        sentiment_words(train, n_words=0)
