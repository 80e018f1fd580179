"""attnlab.data.reviews and attnlab.models.internal_external (chapter 4, internal vs external)."""

import pytest
import torch

from attnlab.data.reviews import ACTING_WORDS, load_reviews, sentiment_words, tokenize
from attnlab.models.internal_external import QuestionReader, TwoTaskReader


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
    _, (internal_a, external_a) = reader.attend(tokens, torch.randn(1, 8))
    _, weights_b = reader.attend(tokens, torch.randn(1, 8))
    internal_b, external_b = weights_b.internal, weights_b.external
    assert torch.equal(internal_a, internal_b) and not torch.allclose(external_a, external_b)
    assert torch.allclose(external_a.sum(-1), torch.ones(2, 1))
    assert (external_a[..., 4:] == 0).all() and (internal_a[0, :, 4:] == 0).all()   # padding gets no weight


def test_bad_input():
    reader = TwoTaskReader(vocab_size=20, d_model=8)
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, n_words\)"):
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


TOKENS = torch.tensor([[3, 4, 5, 6, 0, 0], [7, 8, 9, 0, 0, 0], [3, 3, 2, 0, 0, 0]])


@pytest.mark.parametrize("where", ["outside", "appended", "none"])
def test_question_reader_shapes_and_padding(where):
    torch.manual_seed(0)
    reader = QuestionReader(vocab_size=20, n_questions=3, where=where, d_model=8)
    question = torch.tensor([0, 2, 1])
    logits, weights = reader.attend(TOKENS, question)
    torch.testing.assert_close(logits, reader(TOKENS, question))
    n_items = 7 if where == "appended" else 6
    assert logits.shape == (3, 2) and weights.readout.shape == (3, n_items)
    assert weights.self_attention.shape == (3, n_items, n_items)
    torch.testing.assert_close(weights.readout.sum(-1), torch.ones(3))
    words = weights.readout[:, 1:] if where == "appended" else weights.readout
    assert (words[TOKENS == 0] == 0).all()                          # padding gets no weight


def test_where_the_question_goes_decides_what_it_changes():
    torch.manual_seed(0)
    tokens = TOKENS[:1].expand(2, -1)
    question = torch.tensor([0, 1])
    outside = QuestionReader(20, 2, "outside", d_model=8).attend(tokens, question)[1]
    # outside: the question is the readout query; the words' self-attention cannot depend on it
    assert torch.equal(outside.self_attention[0], outside.self_attention[1])
    assert not torch.allclose(outside.readout[0], outside.readout[1])
    appended = QuestionReader(20, 2, "appended", d_model=8).attend(tokens, question)[1]
    # appended: the question is an item of the text, so every word's self-attention row moves
    assert not torch.allclose(appended.self_attention[0, 1:5], appended.self_attention[1, 1:5])
    blind = QuestionReader(20, 2, "none", d_model=8)
    logits = blind(tokens, question)
    torch.testing.assert_close(logits[0], logits[1])                # the question is ignored


def test_same_parameters_in_both_places():
    count = lambda m: sum(p.numel() for p in m.parameters())
    assert count(QuestionReader(20, 2, "outside", d_model=8)) == count(QuestionReader(20, 2, "appended", d_model=8))


def test_question_reader_bad_input():
    reader = QuestionReader(20, 2, d_model=8)
    with pytest.raises(TypeError, match="question must be a long tensor of shape"):
        reader(TOKENS, torch.zeros(3))
    with pytest.raises(ValueError, match="n_questions=2"):
        reader(TOKENS, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="batch sizes differ"):
        reader(TOKENS, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="tokens must be a long tensor"):
        reader(TOKENS.float(), torch.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match="where must be one of"):
        QuestionReader(20, 2, "inside")
