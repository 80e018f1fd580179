"""Nadaraya–Watson kernel regression, read as attention pooling.

Introduced in chapter 3 ("Kernel regression is attention pooling"). To predict ``y`` at a point ``x``,
Nadaraya (1964) and Watson (1964) average the training targets ``y_i``, weighting each by a
kernel of the distance ``x - x_i``. With a Gaussian kernel of bandwidth ``h`` the weights are a
softmax of the scores ``-(x - x_i)² / (2 h²)``: ``x`` is the query, the ``x_i`` are the keys, the
``y_i`` are the values. The bandwidth is the one parameter, fitted here by gradient descent on the
leave-one-out error (each training point is predicted from all the others).
"""

from __future__ import annotations

import torch

from .attention import masked_softmax
from .checks import require_shape, require_tensor, shape_of

__all__ = ["fit_bandwidth", "fit_bandwidths", "gaussian_scores", "leave_one_out_error",
           "nadaraya_watson"]


def gaussian_scores(query_x: torch.Tensor, key_x: torch.Tensor, bandwidth) -> torch.Tensor:
    """Scores ``-(query_x - key_x)² / (2 bandwidth²)``.

    query_x: (n_queries,); key_x: (n_keys,); bandwidth: a positive number or 0-d tensor.
    Returns (n_queries, n_keys).
    """
    for name, x, n in (("query_x", query_x, "n_queries"), ("key_x", key_x, "n_keys")):
        require_tensor(name, x, f"({n},)", dim=1)
    bandwidth = torch.as_tensor(bandwidth, dtype=query_x.dtype)
    if bandwidth.dim() != 0 or not bool(bandwidth > 0):
        raise ValueError(f"bandwidth must be one positive number, got {bandwidth}")
    return -(query_x[:, None] - key_x[None, :]) ** 2 / (2 * bandwidth ** 2)


def nadaraya_watson(query_x: torch.Tensor, key_x: torch.Tensor, values: torch.Tensor, bandwidth,
                    mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Predict at ``query_x`` by attention pooling of ``values`` with Gaussian-kernel weights.

    query_x: (n_queries,); key_x: (n_keys,); values: (n_keys,) or (n_keys, d_v);
    mask: bool, broadcastable to (n_queries, n_keys), ``True`` = may be used.
    Returns ``(prediction, weights)``: prediction (n_queries,) or (n_queries, d_v), weights (n_queries, n_keys).
    """
    expected = f"(n_keys,) or (n_keys, d_v) with n_keys={key_x.shape[0]} as in key_x"
    require_tensor("values", values, expected, min_dim=1)
    require_shape("values", values, (key_x.shape[0],) + (None,) * (values.dim() - 1), expected)
    if values.dim() > 2:
        require_shape("values", values, (key_x.shape[0], None), expected)
    weights = masked_softmax(gaussian_scores(query_x, key_x, bandwidth), mask)
    return weights @ values, weights


def leave_one_out_error(x: torch.Tensor, y: torch.Tensor, bandwidth) -> torch.Tensor:
    """Mean squared error of predicting each ``y_i`` from all the other points. x, y: (n,)."""
    not_self = ~torch.eye(len(x), dtype=torch.bool)
    prediction, _ = nadaraya_watson(x, x, y, bandwidth, mask=not_self)
    return ((prediction - y) ** 2).mean()


def fit_bandwidth(x: torch.Tensor, y: torch.Tensor, initial: float = 1.0, steps: int = 150,
                  lr: float = 0.05) -> tuple[float, list[float]]:
    """Fit the bandwidth by Adam on its logarithm, minimising :func:`leave_one_out_error`.

    x, y: (n,). Returns ``(bandwidth, losses)`` with one leave-one-out error per step.
    """
    for name, t in (("x", x), ("y", y)):
        require_tensor(name, t, "(n,)", dim=1)
    bandwidths, losses = fit_bandwidths(x[None], y[None], initial, steps, lr)
    return bandwidths.item(), losses[:, 0].tolist()


def fit_bandwidths(x: torch.Tensor, y: torch.Tensor, initial: float = 1.0, steps: int = 150,
                   lr: float = 0.05) -> tuple[torch.Tensor, torch.Tensor]:
    """Fit one bandwidth per draw, for many draws at once: :func:`fit_bandwidth`, batched.

    x, y: (n_draws, n), one draw of n training points per row. Each draw's bandwidth is fitted
    on its own leave-one-out error; Adam updates each entry separately, so the result is the
    one :func:`fit_bandwidth` gives draw by draw (it is this function on one draw). Returns ``(bandwidths, losses)``: bandwidths
    (n_draws,), losses (steps, n_draws), the leave-one-out error of each draw at each step.
    """
    for name, t in (("x", x), ("y", y)):
        require_tensor(name, t, "(n_draws, n)", dim=2)
    if x.shape != y.shape:
        raise ValueError(f"x has shape {shape_of(x)} and y has shape {shape_of(y)}; they must match")
    not_self = ~torch.eye(x.shape[1], dtype=torch.bool)
    distance = (x[:, :, None] - x[:, None, :]) ** 2                     # (n_draws, n, n)
    log_bandwidth = torch.full((x.shape[0],), float(initial), dtype=x.dtype).log()
    log_bandwidth.requires_grad_(True)
    optimizer = torch.optim.Adam([log_bandwidth], lr=lr)
    losses = []
    for _ in range(steps):
        bandwidth = log_bandwidth.exp()[:, None, None]
        weights = masked_softmax(-distance / (2 * bandwidth ** 2), not_self)
        prediction = (weights @ y[:, :, None]).squeeze(-1)                # (n_draws, n)
        loss = ((prediction - y) ** 2).mean(dim=1)                        # (n_draws,)
        optimizer.zero_grad()
        loss.sum().backward()                       # the draws do not interact: one gradient each
        optimizer.step()
        losses.append(loss.detach())
    return log_bandwidth.detach().exp(), torch.stack(losses)
