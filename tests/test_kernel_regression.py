"""Nadaraya–Watson regression as attention pooling; the fitted bandwidth."""

import math

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.kernel_regression import (fit_bandwidth, fit_bandwidths, gaussian_scores,
                                       leave_one_out_error, nadaraya_watson)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), bandwidth=st.floats(0.05, 5.0))
def test_prediction_is_a_convex_combination_of_the_targets(seed, bandwidth):
    g = torch.Generator().manual_seed(seed)
    x, y, query = torch.rand(20, generator=g, dtype=torch.float64) * 5, torch.randn(20, generator=g, dtype=torch.float64), \
        torch.rand(7, generator=g, dtype=torch.float64) * 5
    prediction, weights = nadaraya_watson(query, x, y, bandwidth)
    torch.testing.assert_close(weights.sum(-1), torch.ones(7, dtype=torch.float64))
    assert (prediction >= y.min() - 1e-9).all() and (prediction <= y.max() + 1e-9).all()


def test_weights_are_the_normalised_gaussian_kernel():
    x = torch.tensor([0.0, 1.0, 3.0], dtype=torch.float64)
    _, weights = nadaraya_watson(torch.tensor([0.5], dtype=torch.float64), x, torch.zeros(3, dtype=torch.float64), 0.7)
    kernel = torch.exp(-(0.5 - x) ** 2 / (2 * 0.7 ** 2))
    torch.testing.assert_close(weights[0], kernel / kernel.sum())


def test_limits_of_the_bandwidth():
    x = torch.linspace(0, 1, 11, dtype=torch.float64)
    y = torch.sin(6 * x)
    tiny, _ = nadaraya_watson(x, x, y, 1e-3)
    huge, _ = nadaraya_watson(x, x, y, 1e3)
    torch.testing.assert_close(tiny, y)                                   # interpolates
    torch.testing.assert_close(huge, y.mean().expand(11), atol=1e-4, rtol=0)  # the global mean


def test_fitted_bandwidth_beats_both_extremes():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(60, generator=g, dtype=torch.float64) * 6
    y = torch.sin(x) + 0.3 * torch.randn(60, generator=g, dtype=torch.float64)
    bandwidth, losses = fit_bandwidth(x, y, initial=2.0, steps=100)
    assert losses[-1] < losses[0]
    fitted = leave_one_out_error(x, y, bandwidth)
    assert fitted < leave_one_out_error(x, y, 0.02) and fitted < leave_one_out_error(x, y, 5.0)


def test_leave_one_out_ignores_the_point_itself():
    x = torch.tensor([0.0, 10.0, 20.0], dtype=torch.float64)
    y = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    # with a small bandwidth each point is predicted by its nearest *other* point
    assert math.isclose(leave_one_out_error(x, y, 1.0).item(), (1 + 0 + 1) / 3, rel_tol=1e-9)  # the middle point: (1 + 3) / 2 = 2 exactly


@pytest.mark.parametrize("args, message", [
    ((torch.randn(3, 1), torch.randn(4), 1.0), "query_x has shape"),
    ((torch.randn(3), torch.randn(4), -1.0), "bandwidth must be one positive number"),
    ((torch.randn(3), torch.randn(4), torch.ones(2)), "bandwidth must be one positive number"),
])
def test_bad_input_raises(args, message):
    with pytest.raises(ValueError, match=message):
        gaussian_scores(*args)


def test_values_must_match_keys():
    with pytest.raises(ValueError, match="n_keys=4"):
        nadaraya_watson(torch.randn(3), torch.randn(4), torch.randn(5), 1.0)


def test_fit_bandwidths_is_fit_bandwidth_draw_by_draw():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(3, 25, generator=g, dtype=torch.float64) * 5
    y = torch.sin(x) + 0.4 * torch.randn(3, 25, generator=g, dtype=torch.float64)
    x[2] *= 0.2                                           # a draw that wants another bandwidth
    bandwidths, losses = fit_bandwidths(x, y, initial=1.0, steps=60, lr=0.05)
    assert bandwidths.shape == (3,) and losses.shape == (60, 3)
    for i in range(3):
        bandwidth, one_losses = fit_bandwidth(x[i], y[i], initial=1.0, steps=60, lr=0.05)
        assert math.isclose(bandwidths[i].item(), bandwidth, rel_tol=1e-9)
        torch.testing.assert_close(losses[:, i], torch.tensor(one_losses, dtype=torch.float64))
    assert len(set(bandwidths.tolist())) == 3


@pytest.mark.parametrize("x, y, message", [
    (torch.rand(5), torch.rand(5), "x has shape"),
    (torch.rand(2, 5), torch.rand(2, 4), "they must match"),
])
def test_fit_bandwidths_rejects_bad_shapes(x, y, message):
    with pytest.raises(ValueError, match=message):
        fit_bandwidths(x, y, steps=1)
