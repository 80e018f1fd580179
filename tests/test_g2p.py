"""The grapheme-to-phoneme data: split by word, round trips, lengths, seeds (chapter 6)."""

import pytest
import torch

from attnlab.data.g2p import (BOUNDARY, LETTERS, PHONEME_VOCABULARY, PHONEMES, load_lexicon, make_g2p,
                              phoneme_vocabulary, split_words)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def split(lexicon):
    return split_words(lexicon, seed=0)


def test_the_lexicon_is_alphabetic_words_without_stress(lexicon):
    assert len(lexicon) > 100_000
    assert all(word.isalpha() and word.islower() for word in lexicon)
    assert lexicon["phone"] == ("F", "OW", "N") and lexicon["knight"] == ("N", "AY", "T")
    assert {p for phones in lexicon.values() for p in phones} == set(PHONEMES)
    stressed = load_lexicon(keep_stress=True)
    assert stressed["phone"] == ("F", "OW1", "N")
    assert all(p in phoneme_vocabulary(True).index for phones in stressed.values() for p in phones)


def test_the_split_is_disjoint_by_word_and_covers_every_word(lexicon, split):
    train, val, test = (set(split[k]) for k in ("train", "val", "test"))
    assert not (train & test) and not (train & val) and not (val & test)
    assert train | val | test == set(lexicon)
    assert 0.08 < len(test) / len(lexicon) < 0.12


def test_phrases_use_only_their_split_and_round_trip(lexicon, split):
    data = make_g2p(split["test"], 300, seed=0)
    test_words = set(split["test"])
    for i in range(len(data)):
        assert all(word in test_words for word in data.phrases[i])
        assert "".join(data.letters(i)).split(BOUNDARY) == list(data.phrases[i])
        expected = []
        for k, word in enumerate(data.phrases[i]):
            expected += ([BOUNDARY] if k else []) + list(lexicon[word])
        assert data.phonemes(i) == expected
    assert (data.target[:, 0] == PHONEME_VOCABULARY.bos).all()
    assert LETTERS.decode(LETTERS.encode("knot")) == list("knot")


def test_lengths_span_the_range(split):
    data = make_g2p(split["train"], 2000, min_length=5, max_length=50, seed=1)
    lengths = data.source_lengths
    assert lengths.min() >= 5 and lengths.max() <= 50
    assert (lengths < 15).float().mean() > 0.1 and (lengths > 40).float().mean() > 0.1
    assert data.source.shape[1] == lengths.max() + 1                      # + <eos>


def test_the_same_seed_gives_the_same_data(lexicon, split, monkeypatch):
    a, b = make_g2p(split["val"], 50, seed=3), make_g2p(split["val"], 50, seed=3)
    assert a.phrases == b.phrases and torch.equal(a.source, b.source)
    assert make_g2p(split["val"], 50, seed=4).phrases != a.phrases
    assert split_words(lexicon, seed=0) == split
    monkeypatch.setenv("ATTNLAB_SEED", "1")
    assert split_words(lexicon, seed=0)["test"] != split["test"]          # the seed switch reaches the split


def test_bad_arguments_are_named(split):
    with pytest.raises(ValueError, match="n_phrases"):
        make_g2p(split["train"], 0)
    with pytest.raises(ValueError, match="min_length"):
        make_g2p(split["train"], 5, min_length=10, max_length=5)
    with pytest.raises(ValueError, match="test_fraction"):
        split_words({"a": ("AH",)}, test_fraction=1.5)
    with pytest.raises(KeyError, match="not in the vocabulary"):
        LETTERS.encode("Ab")
