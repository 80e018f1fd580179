"""Positional encodings: how a Transformer learns the order that self-attention ignores.

Introduced in chapter 3 ("No notion of order"), used by the attention-only models.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .checks import require_vectors

__all__ = ["sinusoidal_encoding", "SinusoidalPositionalEncoding", "LearnedPositionalEmbedding"]


def sinusoidal_encoding(n_positions: int, d_model: int) -> torch.Tensor:
    """The fixed encoding of Vaswani et al. (2017): ``(n_positions, d_model)``.

    Even columns hold ``sin(pos / 10000^(2i/d_model))``, odd columns the matching cosine.
    """
    if n_positions < 1 or d_model < 2 or d_model % 2:
        raise ValueError(f"need n_positions >= 1 and an even d_model >= 2, got n_positions={n_positions}, "
                         f"d_model={d_model}")
    positions = torch.arange(n_positions, dtype=torch.float64)[:, None]
    frequencies = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    encoding = torch.zeros(n_positions, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(positions * frequencies)
    encoding[:, 1::2] = torch.cos(positions * frequencies)
    return encoding.float()


class _PositionalBase(nn.Module):
    max_positions: int
    d_model: int

    def _table(self) -> torch.Tensor:
        raise NotImplementedError

    def at(self, offset: int, n: int) -> torch.Tensor:
        """The vectors of positions offset .. offset + n - 1: (n, d_model)."""
        if offset + n > self.max_positions:
            raise ValueError(f"positions {offset}..{offset + n - 1} lie beyond this encoding's "
                             f"max_positions={self.max_positions}")
        return self._table()[offset:offset + n]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, n, d_model) -> x + the encoding of positions 0..n-1."""
        require_vectors("x", x, self.d_model)
        return x + self.at(0, x.shape[1]).to(x.dtype)


class SinusoidalPositionalEncoding(_PositionalBase):
    """Adds :func:`sinusoidal_encoding` to its input; it has no parameters."""

    def __init__(self, max_positions: int, d_model: int):
        super().__init__()
        self.max_positions, self.d_model = max_positions, d_model
        self.register_buffer("encoding", sinusoidal_encoding(max_positions, d_model), persistent=False)

    def _table(self) -> torch.Tensor:
        return self.encoding


class LearnedPositionalEmbedding(_PositionalBase):
    """Adds a learned vector per position (as in BERT and GPT); ``max_positions * d_model`` parameters."""

    def __init__(self, max_positions: int, d_model: int):
        super().__init__()
        self.max_positions, self.d_model = max_positions, d_model
        self.embedding = nn.Embedding(max_positions, d_model)
        nn.init.normal_(self.embedding.weight, std=0.02)

    def _table(self) -> torch.Tensor:
        return self.embedding.weight
