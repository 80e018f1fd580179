"""Tests of attnlab.data.distance (chapter 6, "Three sentence vectors")."""

import pytest
import torch

from attnlab.data.distance import distance_token_names, distance_vocab_size, make_distance_task


def test_one_symbol_at_the_stated_distance():
    tokens, labels, distances = make_distance_task(500, length=30, n_symbols=3, n_distractors=7, seed=1)
    assert tokens.shape == (500, 30) and labels.shape == distances.shape == (500,)
    is_symbol = tokens > 7
    assert torch.equal(is_symbol.sum(1), torch.ones(500, dtype=torch.long))
    position = is_symbol.long().argmax(1)
    assert torch.equal(position, 29 - distances)
    assert torch.equal(tokens[torch.arange(500), position] - 8, labels)
    assert tokens.min() >= 1 and tokens.max() < distance_vocab_size(3, 7)
    assert set(distances.tolist()) == set(range(30)) and set(labels.tolist()) == {0, 1, 2}


def test_max_distance_and_names():
    _, _, distances = make_distance_task(200, length=50, max_distance=4)
    assert distances.max() <= 4
    assert distance_token_names(2, 3) == ["·", "0", "1", "2", "A", "B"]


def test_seeded_and_shifted(monkeypatch):
    a = make_distance_task(20, seed=3)
    assert all(torch.equal(x, y) for x, y in zip(a, make_distance_task(20, seed=3)))
    monkeypatch.setenv("ATTNLAB_SEED", "1")
    b = make_distance_task(20, seed=2)
    assert all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("kwargs, phrase", [(dict(n_samples=0), "n_samples"), (dict(n_samples=3, length=0), "length"),
                                            (dict(n_samples=3, n_symbols=1), "n_symbols"),
                                            (dict(n_samples=3, length=5, max_distance=5), "max_distance")])
def test_bad_arguments(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        make_distance_task(**kwargs)
