"""The soft key–value memory: three steps, weights that are a distribution, the hard limit."""

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.attention import scaled_dot_product_attention
from attnlab.memory import address_scores, hard_read, soft_read


def _memory(seed, n_keys=6, d_k=4, d_v=3):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(5, d_k, generator=g, dtype=torch.float64), torch.randn(n_keys, d_k, generator=g, dtype=torch.float64),
            torch.randn(n_keys, d_v, generator=g, dtype=torch.float64))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), temperature=st.floats(0.05, 20))
def test_weights_are_a_distribution_and_read_is_their_average(seed, temperature):
    query, keys, values = _memory(seed)
    read, weights = soft_read(query, keys, values, temperature)
    assert (weights >= 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(5, dtype=torch.float64))
    torch.testing.assert_close(read, weights @ values)


def test_equals_scaled_dot_product_attention_at_temperature_sqrt_d():
    query, keys, values = _memory(1)
    read, weights = soft_read(query, keys, values, temperature=2.0)  # d_k = 4, sqrt(d_k) = 2
    expected, expected_weights = scaled_dot_product_attention(query, keys, values)
    torch.testing.assert_close(read, expected)
    torch.testing.assert_close(weights, expected_weights)


def test_low_temperature_read_is_the_hard_lookup():
    query, keys, values = _memory(2)
    hard = hard_read(query, keys, values)
    soft, _ = soft_read(query, keys, values, temperature=1e-5)
    torch.testing.assert_close(soft, hard)
    soft_warm, _ = soft_read(query, keys, values, temperature=10.0)
    assert (soft_warm - hard).abs().max() > 0.1


def test_single_query_and_mask():
    _, keys, values = _memory(3)
    mask = torch.tensor([True, False, True, True, False, True])
    read, weights = soft_read(keys[1], keys, values, mask=mask)
    assert read.shape == (3,) and weights.shape == (6,)
    assert weights[1] == 0 and weights[4] == 0


@pytest.mark.parametrize("args, message", [
    ((torch.randn(2, 5), torch.randn(6, 4), torch.randn(6, 3)), "d_k=4"),
    ((torch.randn(2, 4), torch.randn(6, 4), torch.randn(5, 3)), "same number of items"),
    ((torch.randn(2, 4), torch.randn(6, 4, 1), torch.randn(6, 3)), r"keys has shape \(6, 4, 1\) but must have shape \(n_keys, d_k\)"),
    (("q", torch.randn(6, 4), torch.randn(6, 3)), "query must be a torch.Tensor"),
])
def test_bad_shapes_raise_clear_errors(args, message):
    with pytest.raises((ValueError, TypeError), match=message):
        soft_read(*args)


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), "cold"])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        address_scores(torch.randn(4), torch.randn(3, 4), temperature)
