"""The committed Austen paragraphs load into padded tensors with a train-only vocabulary."""

import pytest
import torch

from attnlab.data.austen import CHARACTER_NAMES, NOVELS, TITLES, load_austen, read_paragraphs


@pytest.fixture(scope="module")
def data():
    return load_austen(max_sentences=5, max_words=12, vocab_size=500, seed=0)


def test_the_file_holds_600_paragraphs_per_novel_of_20_words_or_more():
    paragraphs = read_paragraphs()
    assert len(paragraphs) == 6 * 600 and len(TITLES) == len(NOVELS) == 6
    assert torch.tensor([label for label, _ in paragraphs]).bincount().tolist() == [600] * 6
    assert all(sum(map(len, sentences)) >= 20 for _, sentences in paragraphs)
    assert all(word == word.lower() and word.replace("'", "").isalpha()
               for _, sentences in paragraphs[:200] for s in sentences for word in s)


def test_shapes_split_and_labels(data):
    (train_tokens, train_labels), (test_tokens, test_labels) = data.train, data.test
    assert train_tokens.shape == (2880, 5, 12) and test_tokens.shape == (720, 5, 12)
    assert train_tokens.dtype == torch.long and train_labels.shape == (2880,)
    assert set(train_labels.tolist()) == set(range(6)) and set(test_labels.tolist()) == set(range(6))
    assert len(data.train_sentences) == 2880 and len(data.test_sentences) == 720


def test_vocabulary_comes_from_training_paragraphs_only(data):
    assert data.vocab[:2] == ["<pad>", "<unk>"] and len(data.vocab) == 500
    train_words = {w for p in data.train_sentences for s in p for w in s}
    assert set(data.vocab[2:]) <= train_words
    assert int(data.train[0].max()) < 500


def test_tokens_decode_to_the_paragraph(data):
    words = data.words(data.test[0][0])
    expected = [s[:12] for s in data.test_sentences[0][:5]]
    index = set(data.vocab)
    assert words[:len(expected)] == [[w if w in index else "<unk>" for w in s] for s in expected]


def test_padding_is_zero_and_every_paragraph_has_a_word(data):
    tokens = data.train[0]
    assert ((tokens != 0).flatten(1).any(-1)).all()
    lengths = (tokens != 0).sum(-1)
    positions = torch.arange(12)
    assert ((tokens != 0) == (positions < lengths[..., None])).all()  # words first, then padding


def test_the_split_repeats_with_the_seed_and_changes_without_it():
    a, b, c = (load_austen(2, 4, 50, seed=s) for s in (3, 3, 4))
    assert torch.equal(a.train[0], b.train[0]) and not torch.equal(a.train[1], c.train[1])


@pytest.mark.parametrize("kwargs, message", [
    ({"max_sentences": 0}, "must be at least 1"),
    ({"vocab_size": 2}, "vocab_size=2 at least 3"),
    ({"test_fraction": 1.0}, "test_fraction must be strictly between 0 and 1"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_austen(**kwargs)


def test_character_names_are_lower_case_words_of_the_novels():
    assert len(CHARACTER_NAMES) == 40 and all(name.isalpha() and name.islower() for name in CHARACTER_NAMES)
    words = {word for _, sentences in read_paragraphs() for sentence in sentences for word in sentence}
    assert CHARACTER_NAMES <= words


def test_the_character_stream_round_trips_and_holds_out_another_novel():
    from attnlab.data.austen import load_austen_characters

    data = load_austen_characters(n_train=5000, n_test=500)
    assert len(data.train) == 5000 and len(data.test) == 500
    assert data.decode(data.encode("the man")) == "the man"
    assert data.decode(data.train[:200]) != data.decode(data.test[:200])
    assert set(data.decode(data.train)) <= set(data.chars) and "\n" in data.decode(data.train)
