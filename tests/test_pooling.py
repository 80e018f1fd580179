"""Pooling as attention (chapter 5, "Pooling is attention"): max, mean, softmax and attention pooling."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.pooling import AttentionPooling, max_pool, mean_pool, softmax_pool


def _features(seed=0, shape=(3, 7, 5)):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _mask(batch=3, seq_len=7):
    lengths = torch.tensor([7, 4, 1])[:batch]
    return torch.arange(seq_len)[None, :] < lengths[:, None]


def test_max_pool_is_amax_with_one_hot_weights():
    features, mask = _features(), _mask()
    pooled, weights = max_pool(features, mask)
    expected = features.masked_fill(~mask[..., None], float("-inf")).amax(dim=1)
    torch.testing.assert_close(pooled, expected)
    assert weights.shape == features.shape
    assert torch.equal(weights.sum(dim=1), torch.ones(3, 5, dtype=weights.dtype))   # one selection per channel
    assert (weights[~mask] == 0).all()                                                # never a padded position
    torch.testing.assert_close((weights * features).sum(dim=1), pooled)


def test_max_pool_sends_the_whole_gradient_to_one_position_per_channel():
    features = _features().requires_grad_()
    max_pool(features)[0].sum().backward()
    assert torch.equal((features.grad != 0).sum(dim=1), torch.ones(3, 5, dtype=torch.long))
    torch.testing.assert_close(features.grad.sum(dim=1), torch.ones(3, 5, dtype=torch.float64))


def test_a_row_with_nothing_to_read_pools_to_zeros():
    features = _features()
    mask = _mask()
    mask[1] = False
    for pool in (max_pool, mean_pool, lambda f, m: softmax_pool(f, 0.5, m)):
        pooled, weights = pool(features, mask)
        assert torch.isfinite(pooled).all() and (pooled[1] == 0).all() and (weights[1] == 0).all()


def test_mean_pool_averages_the_unmasked_positions():
    features, mask = _features(), _mask()
    pooled, _ = mean_pool(features, mask)
    for row, length in enumerate([7, 4, 1]):
        torch.testing.assert_close(pooled[row], features[row, :length].mean(dim=0))


def test_softmax_pool_weights_are_a_distribution_per_channel():
    features, mask = _features(), _mask()
    _, weights = softmax_pool(features, 0.7, mask)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(3, 5, dtype=torch.float64))
    assert (weights[~mask] == 0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 30))
def test_softmax_pool_gap_to_max_pool_is_below_the_bound(seed, n):
    """max - softmax pool = sum_j w_j (max - f_j) <= (n - 1) T / e, for every input."""
    features = _features(seed, (2, n, 3))
    for temperature in (1.0, 0.1, 1e-3):
        gap = (max_pool(features)[0] - softmax_pool(features, temperature)[0]).abs().max().item()
        assert gap <= (n - 1) * temperature / math.e + 1e-12


def test_softmax_pool_tends_to_mean_pool_at_high_temperature():
    features, mask = _features(), _mask()
    gaps = [(softmax_pool(features, t, mask)[0] - mean_pool(features, mask)[0]).abs().max().item()
            for t in (1.0, 10.0, 1e3, 1e5)]
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-4


def test_softmax_pool_gradient_sums_to_one_per_channel_and_is_spread():
    features = _features().requires_grad_()
    softmax_pool(features, 1.0)[0].sum().backward()
    torch.testing.assert_close(features.grad.sum(dim=1), torch.ones(3, 5, dtype=torch.float64))
    assert (features.grad != 0).all()


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_softmax_pool_rejects_a_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature must be a positive finite number"):
        softmax_pool(_features(), temperature)


def test_bad_features_and_masks_are_named():
    with pytest.raises(ValueError, match=r"features has shape \(3, 7\) but must have shape \(batch, seq_len, channels\)"):
        max_pool(torch.randn(3, 7))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 6\) but must have shape \(batch, seq_len\) = \(3, 7\)"):
        mean_pool(_features(), torch.ones(3, 6, dtype=torch.bool))
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        softmax_pool(_features(), 1.0, torch.ones(3, 7))


def test_attention_pooling_with_a_learned_query_is_scaled_dot_product_attention():
    torch.manual_seed(0)
    pool = AttentionPooling(5, d_attention=4).double()
    features, mask = _features(), _mask()
    output, weights = pool.attend(features, mask)
    scores = pool.key_proj(features) @ pool.query / 2.0                     # sqrt(d_attention) = 2
    expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
    torch.testing.assert_close(weights, expected)
    torch.testing.assert_close(output, (expected.unsqueeze(-1) * features).sum(dim=1))
    torch.testing.assert_close(pool(features, mask), output)


def test_attention_pooling_with_an_external_query_depends_on_it():
    torch.manual_seed(0)
    pool = AttentionPooling(5, d_query=3).double()
    features = _features()
    query = torch.randn(3, 3, dtype=torch.float64)
    _, weights = pool.attend(features, None, query)
    _, other = pool.attend(features, None, -query)
    assert weights.shape == (3, 7)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(3, dtype=torch.float64))
    assert not torch.allclose(weights, other)


def test_attention_pooling_masked_positions_get_no_weight_and_no_gradient():
    torch.manual_seed(0)
    pool = AttentionPooling(5).double()
    features, mask = _features().requires_grad_(), _mask()
    output, weights = pool.attend(features, mask)
    output.sum().backward()
    assert (weights[~mask] == 0).all() and (features.grad[~mask] == 0).all()


def test_attention_pooling_checks_its_inputs():
    pool = AttentionPooling(5, d_query=3).double()
    with pytest.raises(ValueError, match=r"d_features=5"):
        pool.attend(torch.randn(3, 7, 4, dtype=torch.float64), None, torch.randn(3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"query has shape \(3, 4\) but must have shape \(batch, d_query=3\)"):
        pool.attend(_features(), None, torch.randn(3, 4, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"query must be a torch.Tensor of shape \(batch, d_query=3\)"):
        pool.attend(_features(), None, None)
    with pytest.raises(ValueError, match="the batch sizes differ"):
        pool.attend(_features(), None, torch.randn(2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="learns its own query"):
        AttentionPooling(5).double().attend(_features(), None, torch.randn(3, 5, dtype=torch.float64))
