"""Parallel prefix scans of linear recurrences: the modern answer to "an RNN is sequential".

Introduced in chapter 8 ("Q1: parallelism, measured", section "A linear recurrence in log2 n
steps"). A *linear* recurrence ``h_t = a_t * h_{t-1} + b_t`` is a composition of affine maps
``h -> a h + b``, and the composition of two affine maps is again affine:

    (a1, b1) then (a2, b2)  =  (a2 * a1, a2 * b1 + b2)        (:func:`combine`)

This operator is associative, so all prefixes can be computed by a parallel scan (Blelloch 1990;
Martin & Cundy 2018) in ``ceil(log2 n)`` rounds of independent work instead of ``n`` sequential
steps. A nonlinear RNN ``h_t = tanh(W h_{t-1} + U x_t)`` composes maps that have no closed form
of fixed size, so it has no such exact operator; iterative methods such as DEER (Lim et al.
2024) linearise it around a guess and solve each linearised recurrence with this scan.

Shapes: ``a``, ``b``: ``(..., n, d)``, elementwise (diagonal) recurrences over the steps
dimension -2; ``h0``: ``(..., d)`` or None (zero).
"""

from __future__ import annotations

import math

import torch

from .checks import require_positive_int, require_shape, require_tensor, shape_of

__all__ = ["combine", "linear_recurrence", "associative_scan", "scan_depth"]


def _check(a, b, h0):
    require_tensor("a", a, "(..., n, d)", min_dim=2)
    require_tensor("b", b, "(..., n, d)", min_dim=2)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {shape_of(a)} and b has shape {shape_of(b)}; they must be equal (..., n, d)")
    if h0 is not None:
        require_tensor("h0", h0, "(..., d)", min_dim=1)
        require_shape("h0", h0, (..., a.shape[-1]), f"(..., d={a.shape[-1]})")


def combine(first: tuple[torch.Tensor, torch.Tensor], second: tuple[torch.Tensor, torch.Tensor]
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """The affine map "apply ``first``, then ``second``": ``(a2 * a1, a2 * b1 + b2)``. Associative."""
    (a1, b1), (a2, b2) = first, second
    return a2 * a1, a2 * b1 + b2


def linear_recurrence(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
    """The sequential loop: ``h_t = a_t * h_{t-1} + b_t`` for t = 0..n-1, n dependent steps.

    a, b: (..., n, d); h0: (..., d) or None (zeros). Returns h: (..., n, d).
    """
    _check(a, b, h0)
    h = torch.zeros_like(b[..., 0, :]) if h0 is None else h0
    states = []
    for t in range(a.shape[-2]):
        h = a[..., t, :] * h + b[..., t, :]
        states.append(h)
    return torch.stack(states, dim=-2)


def scan_depth(n: int) -> int:
    """Rounds of :func:`associative_scan` for n steps: ``ceil(log2 n)`` (0 for n = 1)."""
    require_positive_int("n", n)
    return math.ceil(math.log2(n)) if n > 1 else 0


def associative_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None
                     ) -> tuple[torch.Tensor, int]:
    """The same states as :func:`linear_recurrence`, by a Hillis–Steele parallel scan.

    Round r combines every position t with position t - 2^r, all positions at once (one batched
    tensor operation), so after ``ceil(log2 n)`` rounds position t holds the composition of the
    maps 0..t: ``(A_t, B_t)`` with ``h_t = A_t * h0 + B_t``.
    a, b: (..., n, d); h0: (..., d) or None. Returns ``(h, rounds)``: h (..., n, d) and the
    number of rounds (the depth of the computation).
    """
    _check(a, b, h0)
    n = a.shape[-2]
    rounds, offset = 0, 1
    while offset < n:
        earlier = (a[..., :-offset, :], b[..., :-offset, :])
        later = (a[..., offset:, :], b[..., offset:, :])
        new_a, new_b = combine(earlier, later)
        a = torch.cat([a[..., :offset, :], new_a], dim=-2)
        b = torch.cat([b[..., :offset, :], new_b], dim=-2)
        offset, rounds = offset * 2, rounds + 1
    h = b if h0 is None else a * h0.unsqueeze(-2) + b
    return h, rounds
