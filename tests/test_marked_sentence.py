"""The marked-sentence task of chapter 4 (hierarchical.ipynb): the label sits in one marked
sentence, and no clue that ignores the sentences (word counts, windows of neighbours) gives it."""

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.data.marked_sentence import (FIRST_KEYWORD, MARKER, MIN_GAP, PAD, make_marked_sentence,
                                          marked_sentence, vocab_size)


def keywords(tokens, n_classes):
    """(n, n_sentences, n_words) -> the mask of keyword positions."""
    return (tokens >= FIRST_KEYWORD) & (tokens < FIRST_KEYWORD + n_classes)


@settings(max_examples=20, deadline=None)
@given(n_samples=st.integers(1, 30), n_classes=st.integers(1, 4), per_class=st.integers(1, 3),
       min_words=st.integers(6, 9), extra=st.integers(0, 4), seed=st.integers(0, 1000))
def test_one_marker_one_keyword_per_sentence_and_the_label_is_the_marked_ones(
        n_samples, n_classes, per_class, min_words, extra, seed):
    n_sentences, n_words = n_classes * per_class, min_words + extra
    tokens, targets = make_marked_sentence(n_samples, n_sentences, n_words, n_classes, n_fillers=50,
                                           min_words=min_words, seed=seed)
    assert tokens.shape == (n_samples, n_sentences, n_words) and targets.shape == (n_samples,)
    assert tokens.dtype == targets.dtype == torch.long
    assert 0 <= tokens.min() and tokens.max() < vocab_size(n_classes, 50)
    lengths = (tokens != PAD).sum(-1)
    assert ((lengths >= min_words) & (lengths <= n_words)).all()
    assert torch.equal(tokens != PAD, torch.arange(n_words) < lengths[..., None])   # padding only at the end
    assert ((tokens == MARKER).flatten(1).sum(1) == 1).all()                         # one marker per document
    is_keyword = keywords(tokens, n_classes)
    assert (is_keyword.sum(-1) == 1).all()                                          # one keyword per sentence
    classes = (tokens * is_keyword).sum(-1) - FIRST_KEYWORD                         # (n, n_sentences)
    counts = torch.stack([(classes == c).sum(-1) for c in range(n_classes)], -1)
    assert (counts == per_class).all()                                              # every keyword equally often
    rows, marked = torch.arange(n_samples), marked_sentence(tokens)
    assert torch.equal(targets, classes[rows, marked])
    marker_at = (tokens[rows, marked] == MARKER).long().argmax(-1)
    keyword_at = is_keyword[rows, marked].long().argmax(-1)
    assert ((marker_at - keyword_at).abs() >= MIN_GAP).all()
    assert MIN_GAP >= 3            # so no word's window of three (itself and its neighbours) holds both


def test_labels_and_marked_sentences_are_spread_evenly():
    tokens, targets = make_marked_sentence(4000, seed=5)
    assert (targets.bincount(minlength=4).float() / 4000 - 0.25).abs().max() < 0.03
    assert (marked_sentence(tokens).bincount(minlength=16).float() / 4000 - 1 / 16).abs().max() < 0.02


def test_counting_words_says_nothing_about_the_label():
    tokens, _ = make_marked_sentence(500, seed=6)
    ids = torch.arange(FIRST_KEYWORD, FIRST_KEYWORD + 4)
    counts = (tokens.flatten(1)[..., None] == ids).sum(1)     # (n, classes): keyword counts per document
    assert (counts == 4).all()                                 # the same for every document, whatever its label


def test_generator_stream_and_seed_are_reproducible():
    first = make_marked_sentence(20, generator=torch.Generator().manual_seed(3))
    again = make_marked_sentence(20, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(first, again))
    assert all(torch.equal(x, y) for x, y in zip(make_marked_sentence(20, seed=4), make_marked_sentence(20, seed=4)))
    generator = torch.Generator().manual_seed(3)
    make_marked_sentence(20, generator=generator)
    assert not torch.equal(make_marked_sentence(20, generator=generator)[0], first[0])   # the stream moves on


def test_errors():
    with pytest.raises(ValueError, match="multiple of n_classes"):
        make_marked_sentence(3, n_sentences=10, n_classes=4)
    with pytest.raises(ValueError, match="min_words"):
        make_marked_sentence(3, min_words=3)
    with pytest.raises(ValueError, match="min_words"):
        make_marked_sentence(3, n_words=8, min_words=9)
    with pytest.raises(ValueError, match="n_samples"):
        make_marked_sentence(0)
    with pytest.raises(TypeError, match="long tensor"):
        marked_sentence(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="must have shape"):
        marked_sentence(torch.zeros(2, 3, dtype=torch.long))
