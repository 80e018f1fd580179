"""Attention with an external query (chapter 2, "Where the query comes from: self-attention vs an
external query").

The contrast to self-attention: the query is one learned vector, the same for every input, not
computed from the tokens. It attends (with :class:`attnlab.attention.MultiHeadAttention`) over
the tokens, embedded with positions as the course's Transformers embed them
(:class:`~attnlab.models.transformer.TokenEmbedding`), and a small MLP reads the result.

With ``query="input"`` the one query *depends on the input*, as a decoder's state or a question
would: the mean of the embedded tokens, ``mean_t(x_t)``, which the attention's own projection
``W_Q`` maps as self-attention maps each token (no parameter is added; the learned vector is
dropped). It is still one query per input and one row of weights, so it separates "a question
computed from the input" from "a question per token", which self-attention has as well.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import MultiHeadAttention
from ..checks import require_one_of, require_tokens
from .transformer import TokenEmbedding, TransformerConfig

__all__ = ["ExternalQueryClassifier"]


class ExternalQueryClassifier(nn.Module):
    """attend(tokens (batch, seq_len) long) -> ``(logits (batch, n_classes), weights (batch,
    num_heads, seq_len))``; ``forward`` returns the logits. ``query="learned"`` (the default):
    one learned vector, the same for every input; ``"input"``: the mean of the embedded tokens,
    one query per input computed from it."""

    def __init__(self, vocab_size: int, d_model: int = 32, num_heads: int = 2, d_hidden: int = 64,
                 n_classes: int = 2, max_positions: int = 512, query: str = "learned"):
        super().__init__()
        self.query_kind = require_one_of("query", query, ("learned", "input"))
        config = TransformerConfig(vocab_size=vocab_size, d_model=d_model, num_heads=num_heads,
                                   n_classes=n_classes, max_positions=max_positions)
        self.embedding = TokenEmbedding(vocab_size, config)
        if query == "learned":
            self.query = nn.Parameter(0.1 * torch.randn(1, 1, d_model))
        self.attention = MultiHeadAttention(d_model, num_heads)
        self.head = nn.Sequential(nn.Linear(d_model, d_hidden), nn.ReLU(), nn.Linear(d_hidden, n_classes))

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tokens("tokens", tokens, "(batch, seq_len)")
        x = self.embedding(tokens)
        if self.query_kind == "learned":
            query = self.query.expand(len(x), 1, -1)
        else:
            query = x.mean(dim=1, keepdim=True)                  # (batch, 1, d_model), before W_Q
        output, weights = self.attention.attend(query, x)   # (batch, 1, d_model)
        return self.head(output[:, 0]), weights[:, :, 0]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]
