"""Tests of attnlab.data.recall (chapter 1, "The bottleneck")."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.data.recall import (PAD, QUERY, RecallVocab, asked_pair_positions, describe, make_recall,
                                 pairs_back)

VOCAB = RecallVocab(n_keys=16, n_values=8)


def _answer_by_reading(row: torch.Tensor) -> int:
    """The target, found by scanning the sequence like a person would."""
    body, asked = row[:-2].tolist(), row[-1].item()
    for position in range(0, len(body), 2):
        if body[position] == asked:
            return body[position + 1] - 2 - VOCAB.n_keys
    raise AssertionError("asked key not found")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 16), min_size=1, max_size=4), st.integers(0, 10_000))
def test_target_is_the_value_paired_with_the_asked_key(choices, seed):
    tokens, lengths, targets = make_recall(20, choices, VOCAB, seed=seed)
    assert tokens.shape == (20, 2 * max(choices) + 2)
    assert set(lengths.tolist()) <= set(choices)
    for row, length, target in zip(tokens, lengths, targets):
        assert (row[: 2 * (max(choices) - length)] == PAD).all()          # left padding
        assert row[-2] == QUERY
        keys = row[2 * (max(choices) - length):-2:2]
        assert len(set(keys.tolist())) == length                           # distinct keys
        assert _answer_by_reading(row) == target
    back = pairs_back(tokens)
    assert ((back >= 1) & (back <= lengths)).all()


def test_pairs_back_counts_from_the_end():
    v = VOCAB
    row = torch.tensor([[v.key(3), v.value(1), v.key(5), v.value(2), QUERY, v.key(3)]])
    assert pairs_back(row).tolist() == [2]
    assert describe(row[0], v) == "k3 v1 k5 v2 ? k3"


def test_same_seed_same_data_and_mixed_lengths_occur():
    a = make_recall(200, [2, 8], VOCAB, seed=3)
    b = make_recall(200, [2, 8], VOCAB, seed=3)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert set(a[1].tolist()) == {2, 8}
    assert not torch.equal(a[0], make_recall(200, [2, 8], VOCAB, seed=4)[0])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n_keys=16"):
        make_recall(10, 17, VOCAB)
    with pytest.raises(ValueError, match="n_pairs"):
        make_recall(10, [0, 3], VOCAB)
    with pytest.raises(ValueError, match="n_examples"):
        make_recall(0, 3, VOCAB)


def test_pad_to_gives_a_longer_left_padded_copy():
    tokens, lengths, targets = make_recall(50, 3, VOCAB, seed=5, pad_to=10)
    assert tokens.shape == (50, 22) and (lengths == 3).all()
    assert (tokens[:, :14] == PAD).all() and (tokens[:, 14:-2] != PAD).all()
    assert [_answer_by_reading(row) for row in tokens] == targets.tolist()
    with pytest.raises(ValueError, match="pad_to=2 is smaller"):
        make_recall(5, 3, VOCAB, pad_to=2)


def test_asked_pair_positions_point_at_the_asked_key_and_its_value():
    tokens, _, targets = make_recall(100, [1, 5, 16], VOCAB, seed=9)
    key_positions, value_positions = asked_pair_positions(tokens)
    rows = torch.arange(len(tokens))
    assert torch.equal(tokens[rows, key_positions], tokens[:, -1])                      # the asked key
    assert torch.equal(tokens[rows, value_positions], VOCAB.value(targets))             # its value
