"""The layers of a Transformer (chapter 7, "The model, piece by piece"): the position-wise
feed-forward network, the residual sublayer (the one place the LayerNorm order lives), and the
encoder and decoder layers built from them and :class:`attnlab.attention.MultiHeadAttention`.

Shapes: x (batch, n, d_model); memory (batch, n_source, d_model); masks bool, True = may attend,
broadcastable to (batch, n_queries, n_keys) or (batch, heads, n_queries, n_keys).
"""

from __future__ import annotations

import torch
from torch import nn

from ...attention import AttentionCache, MultiHeadAttention
from ...checks import require_same_batch, require_vectors
from .config import TransformerConfig

__all__ = ["FeedForward", "Residual", "EncoderLayer", "DecoderLayer"]

_ACTIVATIONS = {"relu": nn.functional.relu, "gelu": nn.functional.gelu}


class FeedForward(nn.Module):
    """The position-wise feed-forward network: Linear(d_model, d_ff) -> activation -> dropout ->
    Linear(d_ff, d_model), the same two layers applied to every position on its own.
    forward(x (..., d_model)) -> (..., d_model)."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.activation = config.activation
        self.linear1 = nn.Linear(config.d_model, config.d_ff, bias=config.bias)
        self.linear2 = nn.Linear(config.d_ff, config.d_model, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(_ACTIVATIONS[self.activation](self.linear1(x))))


class Residual(nn.Module):
    """A sublayer with its residual connection and LayerNorm, in the order ``norm_first`` says:

        pre-LN  (norm_first=True):   x + dropout(sublayer(norm(x)))
        post-LN (norm_first=False):  norm(x + dropout(sublayer(x)))

    ``forward(x, sublayer)``: ``sublayer(h)`` returns the sublayer's output, or ``(output,
    weights)``; returns ``(x, weights or None)``.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.norm_first = config.norm_first
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, sublayer) -> tuple[torch.Tensor, torch.Tensor | None]:
        out = sublayer(self.norm(x) if self.norm_first else x)
        out, weights = out if isinstance(out, tuple) else (out, None)
        x = x + self.dropout(out)
        return (x if self.norm_first else self.norm(x)), weights


class EncoderLayer(nn.Module):
    """Self-attention, then the feed-forward network, each a :class:`Residual` sublayer.
    With :func:`attnlab.attention.causal_mask` it is a decoder-only (GPT) block.

    ``attend(x, mask=None, *, cache=None, head_mask=None) -> (x, weights (batch, heads, n, n_keys))``;
    ``forward`` returns x. ``cache``: the self-attention's :class:`AttentionCache` when decoding
    step by step; ``head_mask``: (heads,), 0 removes a head's output.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.d_model = config.d_model
        self.self_attention = MultiHeadAttention(config.d_model, config.num_heads, config.bias, config.dropout)
        self.attention_block = Residual(config)
        self.feed_forward = FeedForward(config)
        self.feed_forward_block = Residual(config)

    def attend(self, x: torch.Tensor, mask: torch.Tensor | None = None, *,
               cache: AttentionCache | None = None, head_mask: torch.Tensor | None = None):
        require_vectors("x", x, self.d_model)
        x, weights = self.attention_block(
            x, lambda h: self.self_attention.attend(h, mask=mask, cache=cache, head_mask=head_mask))
        x, _ = self.feed_forward_block(x, self.feed_forward)
        return x, weights

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, *,
                cache: AttentionCache | None = None) -> torch.Tensor:
        return self.attend(x, mask, cache=cache)[0]


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder's output (``memory``), then the
    feed-forward network, each a :class:`Residual` sublayer.

    ``attend(x, memory, self_mask=None, memory_mask=None, *, self_cache=None, cross_cache=None)``
    -> ``(x, {"self": (batch, heads, n, n_keys), "cross": (batch, heads, n, n_source)})``;
    ``forward`` returns x. self_mask is usually :func:`attnlab.attention.causal_mask`; memory_mask
    the source's key-padding mask (batch, 1, n_source).
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.d_model = config.d_model
        heads, bias, dropout = config.num_heads, config.bias, config.dropout
        self.self_attention = MultiHeadAttention(config.d_model, heads, bias, dropout)
        self.self_attention_block = Residual(config)
        self.cross_attention = MultiHeadAttention(config.d_model, heads, bias, dropout)
        self.cross_attention_block = Residual(config)
        self.feed_forward = FeedForward(config)
        self.feed_forward_block = Residual(config)

    def attend(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
               memory_mask: torch.Tensor | None = None, *, self_cache: AttentionCache | None = None,
               cross_cache: AttentionCache | None = None):
        require_vectors("x", x, self.d_model)
        require_vectors("memory", memory, self.d_model, "n_source")
        require_same_batch(x=x, memory=memory)
        x, self_weights = self.self_attention_block(
            x, lambda h: self.self_attention.attend(h, mask=self_mask, cache=self_cache))
        x, cross_weights = self.cross_attention_block(
            x, lambda h: self.cross_attention.attend(h, memory, mask=memory_mask, cache=cross_cache))
        x, _ = self.feed_forward_block(x, self.feed_forward)
        return x, {"self": self_weights, "cross": cross_weights}

    def forward(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
                memory_mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.attend(x, memory, self_mask, memory_mask)[0]
