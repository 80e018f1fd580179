"""chunked_attention equals scaled_dot_product_attention, with the same mask semantics."""

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.attention import chunked_attention, scaled_dot_product_attention


def _inputs(seed, batch, n_queries, n_keys, d_k=8, d_v=5):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, n_queries, d_k, generator=g, dtype=torch.float64) * 3,
            torch.randn(batch, n_keys, d_k, generator=g, dtype=torch.float64) * 3,
            torch.randn(batch, n_keys, d_v, generator=g, dtype=torch.float64))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 3), n_queries=st.integers(1, 17),
       n_keys=st.integers(1, 17), chunk_size=st.integers(1, 8), query_chunk_size=st.integers(1, 8),
       masked=st.booleans())
def test_equals_scaled_dot_product_attention(seed, batch, n_queries, n_keys, chunk_size, query_chunk_size, masked):
    query, key, value = _inputs(seed, batch, n_queries, n_keys)
    mask = None
    if masked:
        g = torch.Generator().manual_seed(seed + 1)
        mask = torch.rand(batch, n_queries, n_keys, generator=g) > 0.5
    expected, _ = scaled_dot_product_attention(query, key, value, mask)
    actual = chunked_attention(query, key, value, mask, chunk_size=chunk_size, query_chunk_size=query_chunk_size)
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, atol=1e-6, rtol=1e-6)


def test_fully_masked_query_gives_zeros_and_finite_gradients():
    query, key, value = _inputs(0, 1, 4, 6)
    mask = torch.ones(1, 4, 6, dtype=torch.bool)
    mask[0, 2] = False
    query.requires_grad_(True)
    output = chunked_attention(query, key, value, mask, chunk_size=4)
    assert torch.equal(output[0, 2], torch.zeros(5, dtype=torch.float64))
    output.sum().backward()
    assert torch.isfinite(query.grad).all()


def test_broadcast_mask_like_padding():
    query, key, value = _inputs(1, 2, 5, 7)
    lengths = torch.tensor([7, 3])
    mask = (torch.arange(7)[None, :] < lengths[:, None])[:, None, :]  # (batch, 1, n_keys)
    expected, _ = scaled_dot_product_attention(query, key, value, mask)
    torch.testing.assert_close(chunked_attention(query, key, value, mask, chunk_size=2), expected)


def test_large_scores_do_not_overflow():
    query, key, value = _inputs(2, 1, 6, 9)
    expected, _ = scaled_dot_product_attention(query * 100, key * 100, value)
    actual = chunked_attention(query * 100, key * 100, value, chunk_size=3)
    assert torch.isfinite(actual).all()
    torch.testing.assert_close(actual, expected, atol=1e-6, rtol=1e-6)


def test_float32_multi_head_shapes():
    g = torch.Generator().manual_seed(3)
    query, key, value = (torch.randn(2, 4, 33, 16, generator=g) for _ in range(3))
    expected, _ = scaled_dot_product_attention(query, key, value)
    torch.testing.assert_close(chunked_attention(query, key, value, chunk_size=8), expected, atol=1e-5, rtol=1e-5)


def test_matches_pytorch_sdpa():
    query, key, value = _inputs(4, 2, 9, 11)
    mask = torch.rand(2, 9, 11, generator=torch.Generator().manual_seed(5)) > 0.3
    mask[..., 0] = True  # PyTorch returns NaN for fully masked rows; keep every row attendable
    expected = torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)
    torch.testing.assert_close(chunked_attention(query, key, value, mask, chunk_size=4), expected)


@pytest.mark.parametrize("bad, message", [
    (dict(query=torch.randn(3)), "query has shape"),
    (dict(key=torch.randn(2, 4, 7)), "last dimension d_k"),
    (dict(value=torch.randn(2, 5, 3)), "same number of keys"),
    (dict(mask=torch.ones(2, 4, 4, dtype=torch.bool)), "must broadcast"),
    (dict(mask=torch.ones(2, 3, 6)), "dtype torch.bool"),
    (dict(chunk_size=0), "chunk_size must be a positive int"),
])
def test_bad_input_raises_a_clear_error(bad, message):
    args = dict(query=torch.randn(2, 3, 8), key=torch.randn(2, 6, 8), value=torch.randn(2, 6, 4))
    args.update(bad)
    with pytest.raises((ValueError, TypeError), match=message):
        chunked_attention(**args)


def test_gradients_equal_those_of_scaled_dot_product_attention():
    query, key, value = (t.requires_grad_(True) for t in _inputs(6, 2, 7, 9))
    mask = torch.rand(2, 7, 9, generator=torch.Generator().manual_seed(7)) > 0.4
    weights_out = torch.randn(2, 7, 5, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    expected = torch.autograd.grad((scaled_dot_product_attention(query, key, value, mask)[0] * weights_out).sum(),
                                   (query, key, value))
    actual = torch.autograd.grad((chunked_attention(query, key, value, mask, chunk_size=4, query_chunk_size=3)
                                  * weights_out).sum(), (query, key, value))
    for a, e in zip(actual, expected):
        torch.testing.assert_close(a, e)
