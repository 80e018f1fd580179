"""The long-range task of chapter 2: labels, layout, balance, determinism."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.data.long_range import PAD, describe, make_first_last_match, token_names, vocab_size


@settings(max_examples=30, deadline=None)
@given(n_samples=st.integers(1, 50), length=st.integers(2, 40), n_symbols=st.integers(2, 6),
       n_distractors=st.integers(1, 10), seed=st.integers(0, 1000))
def test_label_is_whether_the_ends_match(n_samples, length, n_symbols, n_distractors, seed):
    tokens, labels = make_first_last_match(n_samples, length, n_symbols, n_distractors, seed=seed)
    assert tokens.shape == (n_samples, length) and labels.shape == (n_samples,)
    assert torch.equal(labels, (tokens[:, 0] == tokens[:, -1]).long())
    assert labels.sum() == n_samples // 2                              # exactly balanced
    letters = tokens[:, [0, -1]]
    assert (letters > n_distractors).all() and (letters <= n_distractors + n_symbols).all()
    middle = tokens[:, 1:-1]
    assert (middle >= 1).all() and (middle <= n_distractors).all() and not (tokens == PAD).any()
    assert tokens.max() < vocab_size(n_symbols, n_distractors)


def test_the_seed_fixes_the_data():
    a, b = make_first_last_match(20, 9, seed=3), make_first_last_match(20, 9, seed=3)
    c = make_first_last_match(20, 9, seed=4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and not torch.equal(a[0], c[0])
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(make_first_last_match(5, 4, seed=g1)[0], make_first_last_match(5, 4, seed=g2)[0])


def test_describe_and_names():
    names = token_names()
    assert len(names) == vocab_size() and names[0] == "·" and names[1] == "0" and names[11] == "A"
    assert describe(torch.tensor([11, 1, 2, 11]), 1) == "A 0 1 A -> match"
    assert describe(torch.tensor([11, 1, 12]), 0) == "A 0 B -> no match"


@pytest.mark.parametrize("kwargs, phrase", [
    (dict(n_samples=0, length=5), "n_samples must be an int >= 1"),
    (dict(n_samples=3, length=1), "length must be an int >= 2"),
    (dict(n_samples=3, length=5, n_symbols=1), "n_symbols must be an int >= 2"),
    (dict(n_samples=3, length=5, n_distractors=0), "n_distractors must be an int >= 1"),
    (dict(n_samples=2.5, length=5), "n_samples"),
])
def test_bad_arguments_are_named(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        make_first_last_match(**kwargs)
