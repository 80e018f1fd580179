"""Sparsemax is the Euclidean projection onto the simplex, with the closed-form Jacobian."""

import itertools

import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.sparsemax import sparsemax, sparsemax_jacobian, sparsemax_threshold


def brute_force_projection(z: torch.Tensor) -> torch.Tensor:
    """The projection of z onto the simplex by trying every support: the closest feasible point."""
    n, best, best_distance = len(z), None, float("inf")
    for size in range(1, n + 1):
        for support in itertools.combinations(range(n), size):
            support = list(support)
            tau = (z[support].sum() - 1) / size
            p = torch.zeros_like(z)
            p[support] = z[support] - tau
            if (p >= -1e-12).all():
                distance = ((p - z) ** 2).sum().item()
                if distance < best_distance:
                    best, best_distance = p.clamp_min(0), distance
    return best


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6))
def test_equals_brute_force_projection(values):
    z = torch.tensor(values, dtype=torch.float64)
    torch.testing.assert_close(sparsemax(z), brute_force_projection(z))


def test_weights_sum_to_one_with_exact_zeros():
    z = torch.tensor([[1.2, 0.9, -0.3, 0.7, -1.0], [0.0, 0.0, 0.0, 0.0, 5.0]], dtype=torch.float64)
    weights = sparsemax(z)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, dtype=torch.float64))
    assert (weights == 0).sum() == 2 + 4
    assert weights[1].tolist() == [0, 0, 0, 0, 1]


def test_other_dim():
    z = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    torch.testing.assert_close(sparsemax(z, dim=0), sparsemax(z.T).T)
    assert sparsemax_threshold(z, dim=0).shape == (1, 3)


def test_gradcheck_and_closed_form_jacobian():
    z = torch.randn(3, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(sparsemax, (z,))
    row = z[0].detach()
    torch.testing.assert_close(torch.autograd.functional.jacobian(sparsemax, row), sparsemax_jacobian(row))


def test_bad_input():
    with pytest.raises(TypeError, match="scores must be"):
        sparsemax([1.0, 2.0])
    with pytest.raises(TypeError, match="floating-point"):
        sparsemax(torch.tensor([1, 2]))
