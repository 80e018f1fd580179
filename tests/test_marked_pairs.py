"""The marked-pairs task of chapter 4 (multi-head.ipynb)."""

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.data.marked_pairs import make_marked_pairs, pair_tokens


@settings(max_examples=20, deadline=None)
@given(n_samples=st.integers(1, 50), n_positions=st.integers(2, 12), seed=st.integers(0, 1000))
def test_one_a_one_b_and_target_is_a_minus_b(n_samples, n_positions, seed):
    digits, marks, targets = make_marked_pairs(n_samples, n_positions, seed=seed)
    assert digits.shape == marks.shape == (n_samples, n_positions) and targets.shape == (n_samples,)
    assert ((marks == 1).sum(1) == 1).all() and ((marks == 2).sum(1) == 1).all()
    a = (digits * (marks == 1)).sum(1)
    b = (digits * (marks == 2)).sum(1)
    assert torch.equal(targets, (a - b) % 10)


def test_generator_stream_and_seed_are_reproducible():
    first = make_marked_pairs(30, generator=torch.Generator().manual_seed(3))
    again = make_marked_pairs(30, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(first, again))
    generator = torch.Generator().manual_seed(3)
    make_marked_pairs(30, generator=generator)
    assert not torch.equal(make_marked_pairs(30, generator=generator)[0], first[0])  # the stream moves on


def test_pair_tokens_and_errors():
    assert pair_tokens(torch.tensor([3, 5, 4]), torch.tensor([0, 1, 2])) == ["3", "5a", "4b"]
    with pytest.raises(ValueError, match="n_positions"):
        make_marked_pairs(3, n_positions=1)
    with pytest.raises(ValueError, match="shape"):
        pair_tokens(torch.tensor([1, 2]), torch.tensor([0]))
