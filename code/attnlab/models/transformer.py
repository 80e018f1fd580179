"""A small self-attention (Transformer) encoder and classifier, in the style of nanoGPT.

Introduced in chapter 2 ("A long-range task") and reused in chapters 3, 4 and 7. Each block is
pre-norm (as in GPT-2 and nanoGPT)::

    x = x + attention(norm(x))        # self-attention: query, key and value all come from x
    x = x + feed_forward(norm(x))

built on :class:`attnlab.attention.MultiHeadAttention` and :mod:`attnlab.positional`.
Chapter 2 also uses :class:`SelfAttention`, one bare self-attention layer whose reach and cost
it measures, and :class:`ExternalQueryClassifier`, the contrast to self-attention: one learned
query that does not come from the input ("Where the query comes from").
Shapes: tokens (batch, seq_len) long; states (batch, seq_len, d_model); mask (batch, seq_len)
bool, ``True`` = a real token (``False`` = padding, which no query attends to).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..attention import MultiHeadAttention
from ..positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from ..checks import require_mask, require_tokens

__all__ = ["TransformerConfig", "SelfAttention", "FeedForward", "Block", "TransformerEncoder", "TransformerClassifier",
           "ExternalQueryClassifier", "EncoderLayer", "DecoderLayer", "Transformer", "Seq2SeqTransformer",
           "CausalLanguageModel", "KVCache", "padding_mask"]


@dataclass
class TransformerConfig:
    """Everything that fixes a model's shape. ``positional``: "sinusoidal", "learned" or None;
    ``pooling`` (for :class:`TransformerClassifier`): "mean" over positions or the "first" state."""
    vocab_size: int
    d_model: int = 32
    num_heads: int = 2
    n_layers: int = 2
    d_ff: int = 64
    max_positions: int = 512
    positional: str | None = "sinusoidal"
    dropout: float = 0.0
    n_classes: int = 2
    pooling: str = "mean"


class SelfAttention(nn.Module):
    """One :class:`MultiHeadAttention` whose query, key and value are all the input (no norm,
    no residual): forward(x: (batch, seq_len, d_model)) -> (batch, seq_len, d_model).
    Chapter 2, "Seeing further by going deeper" and "Three layers, measured"."""

    def __init__(self, d_model: int, num_heads: int = 2):
        super().__init__()
        self.attention = MultiHeadAttention(d_model, num_heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attention(x, x, x)[0]


class FeedForward(nn.Module):
    """Position-wise feed-forward network: Linear(d_model, d_ff) -> ReLU -> Linear(d_ff, d_model)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, seq_len, d_model) -> (batch, seq_len, d_model)."""
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class Block(nn.Module):
    """One pre-norm Transformer block; forward(x, mask) -> (x, weights (batch, heads, seq_len, seq_len))."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attention = MultiHeadAttention(d_model, num_heads, dropout=dropout)
        self.feed_forward = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None):
        h = self.norm1(x)
        attended, weights = self.attention(h, h, h, None if mask is None else mask[:, None, :])
        x = x + self.dropout(attended)
        x = x + self.dropout(self.feed_forward(self.norm2(x)))
        return x, weights


class TransformerEncoder(nn.Module):
    """Token embedding + positions -> ``n_layers`` blocks -> final LayerNorm.

    forward(tokens: (batch, seq_len) long, mask: (batch, seq_len) bool or None) ->
    ``(states, weights)``: states (batch, seq_len, d_model) and a list with one
    (batch, heads, seq_len, seq_len) attention-weight tensor per block.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.d_model)
        positional = {"sinusoidal": SinusoidalPositionalEncoding, "learned": LearnedPositionalEmbedding}
        if config.positional not in (*positional, None):
            raise ValueError(f"positional must be 'sinusoidal', 'learned' or None, got {config.positional!r}")
        self.positions = (positional[config.positional](config.max_positions, config.d_model)
                          if config.positional else nn.Identity())
        self.blocks = nn.ModuleList(Block(config.d_model, config.num_heads, config.d_ff, config.dropout)
                                    for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None):
        require_tokens("tokens", tokens)
        if mask is not None:
            require_mask("mask", mask, tokens.shape, "(batch, seq_len)")
        x = self.positions(self.embedding(tokens))
        all_weights = []
        for block in self.blocks:
            x, weights = block(x, mask)
            all_weights.append(weights)
        return self.norm(x), all_weights

    def attend(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(states (batch, seq_len, d_model), weights (n_layers, batch, heads, seq_len, seq_len))``,
        computed afresh: every block's attention weights, stacked."""
        states, all_weights = self(tokens, mask)
        return states, torch.stack(all_weights)


class TransformerClassifier(nn.Module):
    """:class:`TransformerEncoder` -> pooling -> linear layer.

    ``config.pooling="mean"`` averages the (unmasked) states; ``"first"`` reads the state at
    position 0 (as BERT reads its [CLS] token).

    forward(tokens (batch, seq_len) long, mask (batch, seq_len) bool or None) -> logits
    (batch, n_classes). :meth:`attend` gives the logits and every block's attention weights.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        if config.pooling not in ("mean", "first"):
            raise ValueError(f"pooling must be 'mean' or 'first', got {config.pooling!r}")
        self.config = config
        self.encoder = TransformerEncoder(config)
        self.classifier = nn.Linear(config.d_model, config.n_classes)

    def attend(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (batch, n_classes), weights (n_layers, batch, heads, seq_len, seq_len))``,
        computed afresh."""
        states, weights = self.encoder.attend(tokens, mask)
        return self.classifier(self._pool(states, mask)), weights

    def _pool(self, states: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if self.config.pooling == "first":
            return states[:, 0]
        if mask is None:
            return states.mean(dim=1)
        keep = mask.unsqueeze(-1).to(states.dtype)
        return (states * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        states, _ = self.encoder(tokens, mask)       # a list of weights, not stacked
        return self.classifier(self._pool(states, mask))


class ExternalQueryClassifier(nn.Module):
    """Attention with an *external* query: one learned vector, the same for every input (not
    computed from the tokens), attends over the embedded tokens; an MLP reads the result.
    Chapter 2, "Where the query comes from: self-attention vs an external query".

    forward(tokens (batch, seq_len) long) -> logits (batch, n_classes). :meth:`attend` gives
    ``(output (batch, 1, d_model), weights (batch, num_heads, 1, seq_len))``.
    """

    def __init__(self, vocab_size: int, d_model: int = 32, num_heads: int = 2, d_hidden: int = 64,
                 n_classes: int = 2, max_positions: int = 512):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.positions = SinusoidalPositionalEncoding(max_positions, d_model)
        self.query = nn.Parameter(0.1 * torch.randn(1, 1, d_model))
        self.attention = MultiHeadAttention(d_model, num_heads)
        self.head = nn.Sequential(nn.Linear(d_model, d_hidden), nn.ReLU(), nn.Linear(d_hidden, n_classes))

    def attend(self, tokens: torch.Tensor):
        require_tokens("tokens", tokens)
        x = self.positions(self.embedding(tokens))
        return self.attention(self.query.expand(len(x), 1, -1), x, x)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.attend(tokens)[0][:, 0])


# Chapter 7's encoder–decoder Transformer lives in its own module; re-exported here.
from .encoder_decoder import (CausalLanguageModel, DecoderLayer, EncoderLayer, KVCache,  # noqa: E402
                              Seq2SeqTransformer, Transformer, padding_mask)
