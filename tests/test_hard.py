"""attnlab.hard: samplers, estimators and local windows (chapter 4, soft/hard/local)."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from attnlab.hard import (PredictivePosition, gradient_variance, gumbel_softmax, leave_one_out_baseline,
                          local_weights, reinforce_surrogate, sample_hard, window_mask)


def test_gumbel_softmax_frequencies_match_the_softmax():
    # 20,000 draws: the standard error of a frequency p is sqrt(p(1-p)/n) <= 0.0035, so a
    # tolerance of 0.015 is more than 4 standard errors for every class.
    logits = torch.tensor([1.0, 0.0, -1.0, 2.0, 0.5])
    generator = torch.Generator().manual_seed(0)
    samples = gumbel_softmax(logits.expand(20_000, -1), hard=True, generator=generator)
    frequencies = samples.mean(0)
    assert torch.allclose(frequencies, torch.softmax(logits, -1), atol=0.015)


def test_sample_hard_frequencies_and_log_prob():
    logits = torch.tensor([0.3, -1.0, 1.2])
    generator = torch.Generator().manual_seed(1)
    index, log_prob = sample_hard(logits.expand(20_000, -1), generator=generator)
    frequencies = torch.bincount(index, minlength=3).float() / 20_000
    assert torch.allclose(frequencies, torch.softmax(logits, -1), atol=0.015)
    assert torch.allclose(log_prob, torch.log_softmax(logits, -1)[index])


def test_straight_through_is_one_hot_forward_and_soft_backward():
    logits = torch.randn(6, 5, generator=torch.Generator().manual_seed(2), requires_grad=True)
    costs = torch.arange(5.0)
    torch.manual_seed(3)
    hard = gumbel_softmax(logits, tau=0.7, hard=True)
    assert ((hard == 0) | (hard == 1)).all() and (hard.sum(-1) == 1).all()
    (hard * costs).sum().backward()
    grad_hard = logits.grad.clone()
    logits.grad = None
    torch.manual_seed(3)
    soft = gumbel_softmax(logits, tau=0.7, hard=False)
    (soft * costs).sum().backward()
    assert torch.allclose(grad_hard, logits.grad)
    assert torch.equal(hard.detach().argmax(-1), soft.detach().argmax(-1))


def test_gumbel_softmax_matches_pytorch_under_the_same_seed():
    logits = torch.randn(4, 7)
    torch.manual_seed(5)
    ours = gumbel_softmax(logits, tau=0.5, hard=True)
    torch.manual_seed(5)
    theirs = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert torch.allclose(ours, theirs)


def test_reinforce_is_unbiased_on_a_bandit():
    # E[loss] = sum_i pi_i c_i; its exact gradient is pi * (c - E[loss]). Average many estimates.
    logits = torch.tensor([0.2, -0.4, 0.9], requires_grad=True)
    costs = torch.tensor([1.0, 3.0, 0.0])
    generator = torch.Generator().manual_seed(0)
    index, log_prob = sample_hard(logits.expand(40_000, -1), generator=generator)
    loss = costs[index]
    estimate, = torch.autograd.grad(reinforce_surrogate(log_prob, loss, leave_one_out_baseline(loss)), logits)
    pi = torch.softmax(logits.detach(), -1)
    exact = pi * (costs - (pi * costs).sum())
    assert torch.allclose(estimate, exact, atol=0.02)


def test_leave_one_out_baseline():
    rewards = torch.tensor([1.0, 2.0, 6.0])
    assert torch.allclose(leave_one_out_baseline(rewards), torch.tensor([4.0, 3.5, 1.5]))
    with pytest.raises(ValueError, match="batch >= 2"):
        leave_one_out_baseline(torch.tensor([1.0]))


@settings(max_examples=30, deadline=None)
@given(centre=st.floats(0, 15), half_width=st.integers(1, 5))
def test_local_weights_vanish_outside_the_window(centre, half_width):
    scores = torch.randn(16, generator=torch.Generator().manual_seed(0))
    p = torch.tensor(centre)
    inside = window_mask(16, p, half_width)
    for gaussian in (False, True):
        weights = local_weights(scores, p, half_width, gaussian=gaussian)
        assert (weights[~inside] == 0).all() and (weights >= 0).all()
        assert weights.sum() <= 1 + 1e-6
    assert torch.isclose(local_weights(scores, p, half_width, gaussian=False).sum(), torch.tensor(1.0))


def test_the_gaussian_carries_a_gradient_to_the_centre_and_the_cut_does_not():
    scores, values = torch.randn(16), torch.randn(16, 3)
    centre = torch.tensor(6.3, requires_grad=True)
    out = local_weights(scores, centre, 2, gaussian=True) @ values
    grad, = torch.autograd.grad(out.sum(), centre)
    assert grad.abs() > 1e-4
    out = local_weights(scores, centre, 2, gaussian=False) @ values
    assert not out.requires_grad


def test_predictive_position_range_and_gradient():
    module = PredictivePosition(d_in=5, d_hidden=7, n_keys=10)
    centre = module(torch.randn(3, 4, 5) * 10)
    assert centre.shape == (3, 4) and (centre >= 0).all() and (centre <= 9).all()
    centre.sum().backward()
    assert module.v.weight.grad.abs().sum() > 0 and module.W.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r"d_in=5"):
        module(torch.randn(2, 4))


def test_gradient_variance_of_a_constant_gradient_is_zero():
    weight = torch.tensor([1.0, 2.0], requires_grad=True)
    result = gradient_variance(lambda: (weight * 3).sum(), [weight], n_draws=5)
    assert result["variance"] == 0 and math.isclose(result["mean_norm2"], 18.0)


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="logits"):
        gumbel_softmax([1.0, 2.0])
    with pytest.raises(ValueError, match="tau"):
        gumbel_softmax(torch.zeros(3), tau=0.0)
    with pytest.raises(ValueError, match="centre has shape"):
        local_weights(torch.zeros(2, 5), torch.tensor(1.0), 1)
    with pytest.raises(ValueError, match="log_prob has shape"):
        reinforce_surrogate(torch.zeros(3), torch.zeros(4))
