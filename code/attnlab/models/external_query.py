"""Attention with an external query (chapter 2, "Where the query comes from: self-attention vs an
external query").

The contrast to self-attention: the query is one learned vector, the same for every input, not
computed from the tokens. It attends (with :class:`attnlab.attention.MultiHeadAttention`) over
the tokens, embedded with positions as the course's Transformers embed them
(:class:`~attnlab.models.transformer.TokenEmbedding`), and a small MLP reads the result.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import MultiHeadAttention
from ..checks import require_tokens
from .transformer import TokenEmbedding, TransformerConfig

__all__ = ["ExternalQueryClassifier"]


class ExternalQueryClassifier(nn.Module):
    """attend(tokens (batch, seq_len) long) -> ``(logits (batch, n_classes), weights (batch,
    num_heads, seq_len))``; ``forward`` returns the logits."""

    def __init__(self, vocab_size: int, d_model: int = 32, num_heads: int = 2, d_hidden: int = 64,
                 n_classes: int = 2, max_positions: int = 512):
        super().__init__()
        config = TransformerConfig(vocab_size=vocab_size, d_model=d_model, num_heads=num_heads,
                                   n_classes=n_classes, max_positions=max_positions)
        self.embedding = TokenEmbedding(vocab_size, config)
        self.query = nn.Parameter(0.1 * torch.randn(1, 1, d_model))
        self.attention = MultiHeadAttention(d_model, num_heads)
        self.head = nn.Sequential(nn.Linear(d_model, d_hidden), nn.ReLU(), nn.Linear(d_hidden, n_classes))

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tokens("tokens", tokens, "(batch, seq_len)")
        x = self.embedding(tokens)
        output, weights = self.attention.attend(self.query.expand(len(x), 1, -1), x)   # (batch, 1, d_model)
        return self.head(output[:, 0]), weights[:, :, 0]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]
