"""The attention core, checked against PyTorch's own and by the laws attention obeys."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.attention import (AttentionCache, MultiHeadAttention, causal_mask, masked_softmax,
                               scaled_dot_product_attention)
from attnlab.models.transformer import from_torch


pytestmark = pytest.mark.usefixtures("float64")


def random_qkv(seed, batch=2, n_queries=4, n_keys=6, d_k=5, d_v=3):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, n_queries, d_k, generator=g), torch.randn(batch, n_keys, d_k, generator=g),
            torch.randn(batch, n_keys, d_v, generator=g))


def random_mask(seed, shape, keep_one=True):
    g = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=g) > 0.4
    if keep_one:
        mask[..., 0] = True
    return mask


# ---------------------------------------------------------------- masked_softmax

def test_masked_softmax_without_mask_is_softmax():
    scores = torch.randn(3, 7)
    assert torch.allclose(masked_softmax(scores), torch.softmax(scores, -1))


def test_masked_keys_get_exactly_zero_and_rows_sum_to_one():
    scores = torch.randn(4, 6)
    mask = random_mask(0, (4, 6))
    weights = masked_softmax(scores, mask)
    assert (weights[~mask] == 0).all()
    assert torch.allclose(weights.sum(-1), torch.ones(4))


def test_fully_masked_row_gives_zeros_with_finite_gradient():
    scores = torch.randn(3, 5, requires_grad=True)
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[1] = False
    weights = masked_softmax(scores, mask)
    assert torch.equal(weights[1], torch.zeros(5))
    assert not torch.isnan(weights).any()
    (weights * torch.randn(3, 5)).sum().backward()
    assert torch.isfinite(scores.grad).all()
    assert torch.equal(scores.grad[1], torch.zeros(5))


def test_mask_broadcasts_over_queries():
    scores = torch.randn(2, 3, 4)
    mask = torch.tensor([[True, True, False, False], [True, False, True, True]])[:, None, :]
    weights = masked_softmax(scores, mask)
    assert (weights[0, :, 2:] == 0).all() and (weights[1, :, 1] == 0).all()


def test_masked_softmax_along_another_dim():
    scores = torch.randn(5, 3)
    mask = random_mask(1, (3, 5)).T.contiguous()
    weights = masked_softmax(scores, mask, dim=0)
    assert torch.allclose(weights.sum(0), torch.ones(3))
    assert (weights[~mask] == 0).all()


def test_mask_of_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"mask has shape \(2, 5\) but scores have shape \(2, 4, 6\)"):
        masked_softmax(torch.randn(2, 4, 6), torch.ones(2, 5, dtype=torch.bool))


def test_non_boolean_mask_is_rejected():
    with pytest.raises(TypeError, match="torch.bool"):
        masked_softmax(torch.randn(2, 4), torch.ones(2, 4))


def test_integer_scores_are_rejected():
    with pytest.raises(TypeError, match="scores must be a floating-point tensor"):
        masked_softmax(torch.ones(2, 4, dtype=torch.long))


# ---------------------------------------------------------------- scaled_dot_product_attention

@pytest.mark.parametrize("seed", range(5))
def test_sdpa_matches_pytorch(seed):
    query, key, value = random_qkv(seed)
    output, weights = scaled_dot_product_attention(query, key, value)
    expected = F.scaled_dot_product_attention(query, key, value)
    assert torch.allclose(output, expected, atol=1e-6)
    assert weights.shape == (2, 4, 6)


@pytest.mark.parametrize("seed", range(5))
def test_sdpa_with_mask_matches_pytorch(seed):
    query, key, value = random_qkv(seed)
    mask = random_mask(seed, (2, 4, 6))
    output, _ = scaled_dot_product_attention(query, key, value, mask)
    expected = F.scaled_dot_product_attention(query, key, value, attn_mask=mask)
    assert torch.allclose(output, expected, atol=1e-6)


def test_sdpa_weights_match_explicit_softmax():
    query, key, value = random_qkv(7)
    _, weights = scaled_dot_product_attention(query, key, value)
    expected = torch.softmax(query @ key.transpose(1, 2) / 5 ** 0.5, -1)
    assert torch.allclose(weights, expected, atol=1e-12)


def test_sdpa_with_extra_batch_dims_and_no_batch():
    g = torch.Generator().manual_seed(3)
    query, key, value = (torch.randn(2, 3, 4, 8, generator=g), torch.randn(2, 3, 5, 8, generator=g),
                         torch.randn(2, 3, 5, 2, generator=g))
    output, weights = scaled_dot_product_attention(query, key, value)
    assert output.shape == (2, 3, 4, 2) and weights.shape == (2, 3, 4, 5)
    assert torch.allclose(output, F.scaled_dot_product_attention(query, key, value), atol=1e-6)
    single, _ = scaled_dot_product_attention(query[0, 0], key[0, 0], value[0, 0])
    assert torch.allclose(single, output[0, 0])


def test_fully_masked_query_outputs_zeros():
    query, key, value = random_qkv(0)
    mask = torch.ones(2, 4, 6, dtype=torch.bool)
    mask[0, 2] = False
    output, weights = scaled_dot_product_attention(query, key, value, mask)
    assert torch.equal(output[0, 2], torch.zeros(3))
    assert torch.equal(weights[0, 2], torch.zeros(6))
    assert torch.isfinite(output).all()


@pytest.mark.parametrize("shapes, message", [
    (((2, 4, 5), (2, 6, 4), (2, 6, 3)), "last dimension d_k must agree"),
    (((2, 4, 5), (2, 6, 5), (2, 7, 3)), "same number of keys"),
    (((5,), (2, 6, 5), (2, 6, 3)), r"query has shape \(5,\) but must have shape"),
])
def test_sdpa_shape_errors(shapes, message):
    tensors = [torch.randn(*s) for s in shapes]
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(*tensors)


def test_sdpa_rejects_non_tensors():
    with pytest.raises(TypeError, match="query must be a torch.Tensor"):
        scaled_dot_product_attention([[1.0]], torch.randn(1, 1), torch.randn(1, 1))


# ---------------------------------------------------------------- laws (hypothesis)

dims = st.integers(min_value=1, max_value=6)


@settings(max_examples=40, deadline=None)
@given(n_queries=dims, n_keys=dims, d_k=dims, seed=st.integers(0, 10_000))
def test_weights_sum_to_one_over_unmasked_keys(n_queries, n_keys, d_k, seed):
    g = torch.Generator().manual_seed(seed)
    query, key = torch.randn(n_queries, d_k, generator=g), torch.randn(n_keys, d_k, generator=g)
    mask = torch.rand(n_queries, n_keys, generator=g) > 0.5
    _, weights = scaled_dot_product_attention(query, key, torch.randn(n_keys, 2, generator=g), mask)
    has_key = mask.any(-1)
    assert torch.allclose(weights.sum(-1)[has_key], torch.ones(int(has_key.sum())))
    assert (weights[~mask] == 0).all()
    assert (weights.sum(-1)[~has_key] == 0).all()


@settings(max_examples=40, deadline=None)
@given(n_keys=st.integers(2, 7), seed=st.integers(0, 10_000))
def test_changing_masked_keys_and_values_changes_nothing(n_keys, seed):
    g = torch.Generator().manual_seed(seed)
    query, key, value = (torch.randn(3, 4, generator=g), torch.randn(n_keys, 4, generator=g),
                         torch.randn(n_keys, 2, generator=g))
    mask = torch.rand(n_keys, generator=g) > 0.5
    mask[0] = True
    output, weights = scaled_dot_product_attention(query, key, value, mask)
    key2, value2 = key.clone(), value.clone()
    key2[~mask] = 100 * torch.randn(int((~mask).sum()), 4, generator=g)
    value2[~mask] = 100 * torch.randn(int((~mask).sum()), 2, generator=g)
    output2, weights2 = scaled_dot_product_attention(query, key2, value2, mask)
    assert torch.allclose(output, output2, atol=1e-12) and torch.allclose(weights, weights2, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 8), seed=st.integers(0, 10_000))
def test_self_attention_without_positions_is_permutation_equivariant(n, seed):
    torch.manual_seed(seed)
    layer = MultiHeadAttention(d_model=8, num_heads=2)
    x = torch.randn(1, n, 8)
    permutation = torch.randperm(n)
    output, weights = layer.attend(x)
    output_p, weights_p = layer.attend(x[:, permutation])
    assert torch.allclose(output_p, output[:, permutation], atol=1e-10)
    assert torch.allclose(weights_p, weights[:, :, permutation][:, :, :, permutation], atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(n_keys=st.integers(2, 8), seed=st.integers(0, 10_000))
def test_permuting_keys_and_values_together_changes_nothing(n_keys, seed):
    query, key, value = random_qkv(seed, n_keys=n_keys)
    mask = random_mask(seed + 1, (2, 4, n_keys))
    permutation = torch.randperm(n_keys, generator=torch.Generator().manual_seed(seed))
    output, weights = scaled_dot_product_attention(query, key, value, mask)
    output_p, weights_p = scaled_dot_product_attention(query, key[:, permutation], value[:, permutation],
                                                       mask[..., permutation])
    torch.testing.assert_close(output_p, output, atol=1e-12, rtol=0)
    torch.testing.assert_close(weights_p, weights[..., permutation], atol=1e-12, rtol=0)


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(-1e3, 1e3, allow_nan=False), seed=st.integers(0, 10_000))
def test_adding_a_constant_to_the_scores_leaves_the_weights_unchanged(shift, seed):
    g = torch.Generator().manual_seed(seed)
    scores = torch.randn(3, 5, generator=g) * 4
    mask = random_mask(seed, (3, 5))
    torch.testing.assert_close(masked_softmax(scores + shift, mask), masked_softmax(scores, mask),
                               atol=1e-12, rtol=0)
    # A constant per query row (not per key) is just as invisible:
    row_shift = torch.randn(3, 1, generator=g) * 100
    torch.testing.assert_close(masked_softmax(scores + row_shift, mask), masked_softmax(scores, mask),
                               atol=1e-12, rtol=0)


@settings(max_examples=30, deadline=None)
@given(n_keys=st.integers(2, 7), seed=st.integers(0, 10_000))
def test_masked_keys_and_values_get_zero_gradient(n_keys, seed):
    query, key, value = random_qkv(seed, n_keys=n_keys)
    key.requires_grad_(True)
    value.requires_grad_(True)
    mask = random_mask(seed + 2, (2, 1, n_keys))  # one mask per sequence, shared by its queries
    mask[..., -1] = False  # at least one masked key in each sequence
    output, _ = scaled_dot_product_attention(query, key, value, mask)
    output.sum().backward()
    hidden = ~mask[:, 0]  # (batch, n_keys)
    assert (key.grad[hidden] == 0).all() and (value.grad[hidden] == 0).all()
    visible_value_grad = value.grad[~hidden].abs().sum(-1)
    assert (visible_value_grad > 0).all(), "every visible value must receive some gradient"


# ---------------------------------------------------------------- MultiHeadAttention

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_multi_head_attention_equals_pytorch(num_heads, bias):
    torch.manual_seed(num_heads)
    reference = torch.nn.MultiheadAttention(8, num_heads, bias=bias, batch_first=True)
    ours = from_torch(reference)
    query, key = torch.randn(3, 4, 8), torch.randn(3, 6, 8)
    value = torch.randn(3, 6, 8)
    expected, expected_weights = reference(query, key, value, average_attn_weights=False)
    output, weights = ours.attend(query, key, value)
    assert weights.shape == (3, num_heads, 4, 6)
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(weights, expected_weights, atol=1e-6, rtol=0)
    torch.testing.assert_close(ours(query, key, value), output)


def test_multi_head_attention_with_key_padding_mask_equals_pytorch():
    torch.manual_seed(0)
    reference = torch.nn.MultiheadAttention(12, 3, batch_first=True)
    ours = from_torch(reference)
    x = torch.randn(2, 5, 12)
    key_padding_mask = torch.tensor([[False] * 5, [False, False, False, True, True]])  # True = ignore
    expected, expected_weights = reference(x, x, x, key_padding_mask=key_padding_mask,
                                           average_attn_weights=False)
    output, weights = ours.attend(x, mask=~key_padding_mask[:, None, :])   # self-attention: key = value = x
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(weights, expected_weights, atol=1e-6, rtol=0)
    assert (weights[1, :, :, 3:] == 0).all()


def test_a_mask_is_shared_by_the_heads_or_given_per_head():
    torch.manual_seed(1)
    layer = MultiHeadAttention(8, 4)
    x = torch.randn(2, 5, 8)
    causal = causal_mask(5)
    _, weights = layer.attend(x, mask=causal)
    assert (weights[..., ~causal] == 0).all()
    per_head = causal.expand(2, 4, 5, 5).clone()
    per_head[:, 1] = True                                 # head 1 sees the future
    _, weights = layer.attend(x, mask=per_head)
    assert (weights[:, 1].triu(1) > 0).any() and (weights[:, [0, 2, 3]].triu(1) == 0).all()


def test_a_cache_gives_the_attention_of_the_whole_sequence():
    torch.manual_seed(2)
    layer, x = MultiHeadAttention(8, 2), torch.randn(2, 7, 8)
    whole = layer(x, mask=causal_mask(7))
    cache = AttentionCache()
    parts = [layer(x[:, :4], mask=causal_mask(4), cache=cache),
             layer(x[:, 4:5], mask=causal_mask(1, past=4), cache=cache),
             layer(x[:, 5:], mask=causal_mask(2, past=5), cache=cache)]
    torch.testing.assert_close(torch.cat(parts, 1), whole)
    assert cache.length == 7 and cache.nbytes() == 2 * 2 * 7 * 8 * 8   # keys and values, float64
    memory, static = torch.randn(2, 3, 8), AttentionCache(static=True)
    first = layer(x[:, :1], memory, cache=static)
    layer(x[:, 1:2], memory, cache=static)
    assert static.length == 3                             # the memory's keys, computed once
    torch.testing.assert_close(layer(x[:, :1], torch.zeros(2, 3, 8), cache=static), first)


def test_head_mask_removes_a_heads_output():
    torch.manual_seed(3)
    layer, x = MultiHeadAttention(8, 2), torch.randn(2, 5, 8)
    kept = layer(x, head_mask=torch.tensor([1.0, 0.0]))
    with torch.no_grad():
        layer.out_proj.weight[:, 4:] = 0                  # the columns that read head 1
    torch.testing.assert_close(kept, layer(x))
    with pytest.raises(ValueError, match=r"head_mask has shape \(3,\) but must have shape \(heads=2,\)"):
        layer(x, head_mask=torch.ones(3))


def test_dropout_acts_on_the_weights_in_training_only():
    torch.manual_seed(0)
    layer = MultiHeadAttention(16, 4, dropout=0.5)
    x = torch.randn(2, 6, 16)
    quiet, weights = layer.eval().attend(x)
    torch.testing.assert_close(layer(x), quiet)
    noisy, noisy_weights = layer.train().attend(x)
    assert not torch.allclose(noisy, quiet)
    torch.testing.assert_close(noisy_weights, weights)    # the weights before dropout
    with pytest.raises(ValueError, match="dropout"):
        MultiHeadAttention(16, 4, dropout=1.0)


def test_multi_head_attention_errors():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)
    layer = MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match=r"key has shape \(2, 5, 6\) but must have shape \(batch, n_keys, d_model=8\)"):
        layer(torch.randn(2, 5, 8), torch.randn(2, 5, 6), torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="mask has shape"):
        layer(torch.randn(2, 5, 8), mask=torch.ones(3, 5, dtype=torch.bool))


def test_causal_mask_is_lower_triangular_and_matches_pytorch():
    mask = causal_mask(5)
    assert mask.dtype == torch.bool and mask.shape == (5, 5)
    assert mask[3, 3] and mask[3, 0] and not mask[3, 4]
    torch_mask = torch.nn.Transformer.generate_square_subsequent_mask(5)  # float, -inf = blocked
    assert torch.equal(mask, torch_mask == 0)
    assert torch.equal(causal_mask(2, past=3), causal_mask(5)[3:])
    with pytest.raises(ValueError, match="n"):
        causal_mask(0)


def test_padding_mask_marks_the_real_tokens_and_names_bad_lengths():
    from attnlab.attention import padding_mask

    assert padding_mask(torch.tensor([3, 1, 0]), 3).tolist() == [[True] * 3, [True, False, False], [False] * 3]
    with pytest.raises(TypeError, match=r"lengths must be a torch.Tensor of shape \(batch,\)"):
        padding_mask([3, 1], 3)
    with pytest.raises(ValueError, match=r"lengths has shape \(1, 2\) but must have shape \(batch,\)"):
        padding_mask(torch.tensor([[3, 1]]), 3)
    with pytest.raises(ValueError, match="n must be a positive int"):
        padding_mask(torch.tensor([1]), 0)
