"""Sparsemax: a softmax with exact zeros that is still differentiable almost everywhere.

Introduced in chapter 8 ("Q2: when attention is differentiable"). Sparsemax (Martins &
Astudillo 2016) is the Euclidean projection of the scores z onto the probability simplex,

    sparsemax(z) = argmin_{p in simplex} ||p - z||^2  =  max(z - tau, 0),

with the threshold tau chosen so the result sums to 1. Keys whose score is below tau get weight
exactly 0. On the support S (the keys with p > 0) its Jacobian is ``diag(s) - s s^T / |S|``, s
the indicator of S; it changes only where a key enters or leaves the support.

Shapes: scores ``(..., n_keys)``; the simplex is taken over ``dim`` (default -1).
"""

from __future__ import annotations

import torch

from .checks import require_tensor

__all__ = ["sparsemax", "sparsemax_threshold", "sparsemax_jacobian"]


def sparsemax_threshold(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The threshold tau of sparsemax along ``dim`` (kept as a size-1 dimension).

    Sort the scores decreasingly, z_(1) >= z_(2) >= ...; the support size is the largest k with
    ``1 + k z_(k) > sum_{j<=k} z_(j)``, and ``tau = (sum_{j<=k} z_(j) - 1) / k``.
    """
    require_tensor("scores", scores, "(..., n_keys)", min_dim=1)
    ordered, _ = torch.sort(scores, dim=dim, descending=True)
    shape = [1] * scores.dim()
    shape[dim] = -1
    k = torch.arange(1, scores.shape[dim] + 1, device=scores.device, dtype=scores.dtype).view(shape)
    cumulative = ordered.cumsum(dim)
    support_size = (1 + k * ordered > cumulative).sum(dim=dim, keepdim=True)
    return (cumulative.gather(dim, support_size - 1) - 1) / support_size.to(scores.dtype)


class _Sparsemax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, dim):
        weights = (scores - sparsemax_threshold(scores, dim)).clamp_min(0)
        ctx.save_for_backward(weights)
        ctx.dim = dim
        return weights

    @staticmethod
    def backward(ctx, grad_output):
        (weights,) = ctx.saved_tensors
        support = (weights > 0).to(grad_output.dtype)
        # J^T g = s * (g - sum(s g) / |S|): the closed-form Jacobian applied to g.
        mean_on_support = (grad_output * support).sum(ctx.dim, keepdim=True) / support.sum(ctx.dim, keepdim=True)
        return support * (grad_output - mean_on_support), None


def sparsemax(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Sparsemax of ``scores`` along ``dim``: weights that sum to 1, with exact zeros.

    scores: (..., n_keys) floating point. Returns weights of the same shape. Its backward pass is
    the closed-form Jacobian ``diag(s) - s s^T / |S|`` on the support.
    """
    require_tensor("scores", scores, "(..., n_keys)", min_dim=1)
    if not scores.is_floating_point():
        raise TypeError(f"scores must be floating point, got {scores.dtype}")
    return _Sparsemax.apply(scores, dim)


def sparsemax_jacobian(scores: torch.Tensor) -> torch.Tensor:
    """The Jacobian d sparsemax(z) / dz of one score vector: ``diag(s) - s s^T / |S|``.

    scores: (n_keys,). Returns (n_keys, n_keys).
    """
    require_tensor("scores", scores, "(n_keys,)", dim=1)
    support = (sparsemax(scores) > 0).to(scores.dtype)
    return torch.diag(support) - torch.outer(support, support) / support.sum()
