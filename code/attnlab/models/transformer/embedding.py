"""Tokens into vectors (chapters 2 and 7): the one embedding of every Transformer of the course.

``TokenEmbedding(vocab_size, config)``: the token's learned vector, times sqrt(d_model) if
``config.scale_embedding`` (as Vaswani et al. do), plus the position's vector (sinusoidal,
learned or none, ``config.positional``), then dropout. ``forward(tokens, offset=0)``: tokens
(batch, n) long -> (batch, n, d_model); ``offset`` is the position of the first token, for a
decoder that receives its tokens one step at a time.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ...checks import require_non_negative_int, require_positive_int, require_tokens
from ...positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from .config import TransformerConfig

__all__ = ["TokenEmbedding"]

_POSITIONS = {"sinusoidal": SinusoidalPositionalEncoding, "learned": LearnedPositionalEmbedding}


class TokenEmbedding(nn.Module):
    """Token embedding (× sqrt(d_model) if ``scale_embedding``) + positions, then dropout."""

    def __init__(self, vocab_size: int, config: TransformerConfig):
        super().__init__()
        require_positive_int("vocab_size", vocab_size)
        self.embedding = nn.Embedding(vocab_size, config.d_model)
        if config.embedding_std is not None:
            nn.init.normal_(self.embedding.weight, std=config.embedding_std)
        self.scale = math.sqrt(config.d_model) if config.scale_embedding else 1.0
        self.positions = (_POSITIONS[config.positional](config.max_positions, config.d_model)
                          if config.positional else None)
        self.max_positions = config.max_positions
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, tokens: torch.Tensor, offset: int = 0) -> torch.Tensor:
        require_tokens("tokens", tokens, "(batch, n)")
        require_non_negative_int("offset", offset)
        n = tokens.shape[1]
        if offset + n > self.max_positions:
            raise ValueError(f"tokens fill positions {offset}..{offset + n - 1}, beyond max_positions="
                             f"{self.max_positions}; build the model with a larger max_positions")
        x = self.embedding(tokens) * self.scale
        if self.positions is not None:
            x = x + self.positions.at(offset, n).to(x.dtype)
        return self.dropout(x)
