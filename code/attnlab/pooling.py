"""Pooling as attention over positions (chapter 5, "Pooling is attention").

A pooling layer turns a feature map ``features: (batch, seq_len, channels)`` into one vector
``(batch, channels)``. Each of the three classic poolings is a weighted average over positions,
and differs only in where the weights come from:

- :func:`max_pool`: for each channel, all the weight on the position with the largest value, a
  hard attention (硬性注意力) with one selection per channel, made by the features themselves;
- :func:`mean_pool`: equal weights on every (unmasked) position;
- :func:`softmax_pool`: for each channel, the softmax over positions of ``features / temperature``;
  it tends to max pooling as the temperature goes to 0 and to mean pooling as it goes to infinity;
- :class:`AttentionPooling`: one weight per position, shared by every channel, from a query
  scored against each position's features; the query is learned, or comes from outside, such as
  an LSTM's final state (C8c, "Attention pooling with an LSTM query").

Each returns ``(pooled, weights)``. ``mask: (batch, seq_len)`` bool marks the positions that may
be read (True), e.g. ``tokens != 0``; a masked position gets weight exactly 0.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .attention import masked_softmax, softmax_average
from .checks import (require_mask, require_one_of, require_positive_int, require_same_batch, require_shape,
                     require_tensor)

__all__ = ["max_pool", "mean_pool", "softmax_pool", "AttentionPooling"]


def _check_features(features, mask) -> torch.Tensor:
    """features: (batch, seq_len, channels); mask: (batch, seq_len) bool or None -> mask (batch, seq_len, 1)."""
    require_tensor("features", features, "(batch, seq_len, channels)", dim=3)
    if mask is None:
        return torch.ones(features.shape[:2] + (1,), dtype=torch.bool, device=features.device)
    return require_mask("mask", mask, features.shape[:2], "(batch, seq_len)").unsqueeze(-1)


def max_pool(features: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Max pooling over positions, written as hard attention.

    features: (batch, seq_len, channels); mask: (batch, seq_len) bool or None.
    Returns ``(pooled (batch, channels), weights (batch, seq_len, channels))``: each channel's
    weights are one-hot on its largest unmasked position, and ``pooled`` equals
    ``features.amax(dim=1)`` (over unmasked positions). Only the selected position of each
    channel receives a gradient. A row with no unmasked position pools to zeros.
    """
    keep = _check_features(features, mask)
    filled = features.masked_fill(~keep, float("-inf"))
    pooled, chosen = filled.max(dim=1)                                        # (batch, channels) each
    has_any = keep.any(dim=1)                                                 # (batch, 1)
    with torch.no_grad():                                                     # the selection: one-hot per channel
        weights = torch.zeros_like(features).scatter(1, chosen.unsqueeze(1), 1.0) * has_any.unsqueeze(1)
    return torch.where(has_any, pooled, torch.zeros_like(pooled)), weights


def mean_pool(features: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean pooling over the unmasked positions: equal weights, the same for every channel.

    features: (batch, seq_len, channels); mask: (batch, seq_len) bool or None.
    Returns ``(pooled (batch, channels), weights (batch, seq_len, channels))``.
    """
    keep = _check_features(features, mask).to(features.dtype)
    weights = (keep / keep.sum(dim=1, keepdim=True).clamp(min=1)).expand_as(features)
    return (weights * features).sum(dim=1), weights


def softmax_pool(features: torch.Tensor, temperature: float,
                 mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax pooling: per channel, weights = softmax over positions of ``features / temperature``.

    features: (batch, seq_len, channels); temperature > 0; mask: (batch, seq_len) bool or None.
    Returns ``(pooled (batch, channels), weights (batch, seq_len, channels))``; the weights of
    each channel sum to 1 over the unmasked positions. As ``temperature`` -> 0 it becomes
    :func:`max_pool`, as ``temperature`` -> infinity :func:`mean_pool`.
    """
    keep = _check_features(features, mask)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
            or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    weights = masked_softmax(features / temperature, keep.expand_as(features), dim=1)
    return (weights * features).sum(dim=1), weights


class AttentionPooling(nn.Module):
    """Attention pooling: one query scores every position's features; the output is their weighted average.

    The course's one learned-query pool. Keys are ``k_i = W_k h_i + b``; the query ``q`` is a
    learned vector (``d_query=None``), or is projected from a query vector of width ``d_query``
    given per input (``q = W_q query``), such as the final state of an LSTM over the same sentence:
    the notes' attention pooling (C8c), in place of max pooling. ``score`` says how a key meets the
    query:

    - ``"scaled-dot"``: ``score_i = k_i . q / sqrt(d_attention)``;
    - ``"tanh"``: ``score_i = tanh(k_i) . q``, Yang et al. (2016)'s word and sentence attention
      (their eq. 5-7: ``u_i = tanh(W h_i + b)``, ``alpha_i = softmax(u_i . u_w)``).

    ``weights = softmax over positions``, ``output = sum_i weights_i h_i``.

    attend(features (..., seq_len, d_features), mask (..., seq_len) bool or None, query (batch,
    d_query) or None) -> ``(output (..., d_features), weights (..., seq_len))``. A row whose
    positions are all masked pools to zeros. With ``d_query``, features are (batch, seq_len,
    d_features).
    """

    SCORES = ("scaled-dot", "tanh")

    def __init__(self, d_features: int, d_query: int | None = None, d_attention: int | None = None,
                 score: str = "scaled-dot"):
        super().__init__()
        require_positive_int("d_features", d_features)
        self.score = require_one_of("score", score, self.SCORES)
        d_attention = d_attention or d_features
        self.d_features, self.d_query, self.d_attention = d_features, d_query, d_attention
        self.key_proj = nn.Linear(d_features, d_attention)
        if d_query is None:
            self.query = nn.Parameter(torch.randn(d_attention) / math.sqrt(d_attention))
        else:
            self.query_proj = nn.Linear(d_query, d_attention)

    def _query(self, features: torch.Tensor, query: torch.Tensor | None) -> torch.Tensor:
        """The query, (..., 1, d_attention)."""
        if self.d_query is None:
            if query is not None:
                raise ValueError("this AttentionPooling learns its own query (d_query=None); pass query=None")
            return self.query.expand(*features.shape[:-2], 1, self.d_attention)
        expected = f"(batch, d_query={self.d_query})"
        require_tensor("query", query, expected, dim=2)
        require_shape("query", query, (None, self.d_query), expected)
        require_shape("features", features, (None, None, self.d_features),
                      f"(batch, seq_len, d_features={self.d_features}) with a query")
        require_same_batch(features=features, query=query)
        return self.query_proj(query).unsqueeze(1)

    def attend(self, features: torch.Tensor, mask: torch.Tensor | None = None,
               query: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(output (..., d_features), weights (..., seq_len))``, computed afresh."""
        expected = f"(..., seq_len, d_features={self.d_features})"
        require_tensor("features", features, expected, min_dim=2)
        require_shape("features", features, (..., self.d_features), expected)
        keep = None if mask is None else require_mask("mask", mask, features.shape[:-1], "(..., seq_len)")
        keys = self.key_proj(features)                                        # (..., seq_len, d_attention)
        if self.score == "tanh":
            keys = torch.tanh(keys)
        scores = self._query(features, query) @ keys.transpose(-2, -1)        # (..., 1, seq_len)
        if self.score == "scaled-dot":
            scores = scores / math.sqrt(self.d_attention)
        output, weights = softmax_average(scores, features, None if keep is None else keep.unsqueeze(-2))
        return output.squeeze(-2), weights.squeeze(-2)

    def forward(self, features: torch.Tensor, mask: torch.Tensor | None = None,
                query: torch.Tensor | None = None) -> torch.Tensor:
        """features: (..., seq_len, d_features) -> pooled (..., d_features)."""
        return self.attend(features, mask, query)[0]
