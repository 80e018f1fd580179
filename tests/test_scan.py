"""The parallel scan of a linear recurrence equals the sequential loop, in ceil(log2 n) rounds."""

import math

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.scan import associative_scan, combine, linear_recurrence, scan_depth


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 70), d=st.integers(1, 4), seed=st.integers(0, 1000), with_h0=st.booleans())
def test_scan_equals_loop(n, d, seed, with_h0):
    generator = torch.Generator().manual_seed(seed)
    a = torch.rand(2, n, d, generator=generator, dtype=torch.float64) * 1.5 - 0.5
    b = torch.randn(2, n, d, generator=generator, dtype=torch.float64)
    h0 = torch.randn(2, d, generator=generator, dtype=torch.float64) if with_h0 else None
    h, rounds = associative_scan(a, b, h0)
    torch.testing.assert_close(h, linear_recurrence(a, b, h0))
    assert rounds == scan_depth(n) == (math.ceil(math.log2(n)) if n > 1 else 0)


def test_combine_is_associative():
    generator = torch.Generator().manual_seed(0)
    maps = [(torch.randn(3, generator=generator), torch.randn(3, generator=generator)) for _ in range(3)]
    left = combine(combine(maps[0], maps[1]), maps[2])
    right = combine(maps[0], combine(maps[1], maps[2]))
    for x, y in zip(left, right):
        torch.testing.assert_close(x, y)


def test_loop_matches_hand_computation():
    a = torch.tensor([[0.5], [2.0], [1.0]])
    b = torch.tensor([[1.0], [1.0], [-3.0]])
    assert linear_recurrence(a, b).flatten().tolist() == [1.0, 3.0, 0.0]


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="a has shape"):
        associative_scan(torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="h0 has shape"):
        linear_recurrence(torch.zeros(3, 2), torch.zeros(3, 2), torch.zeros(3))
    with pytest.raises(ValueError, match="n must be a positive"):
        scan_depth(0)
