"""Sentence classifiers that differ only in how they pool (chapter 5, "Pooling is attention" and
"Attention pooling with an LSTM query").

All read right-padded token ids ``tokens: (batch, seq_len)`` (0 = padding, masked out) and return
logits ``(batch, n_classes)``; each offers ``attend(tokens) -> (logits, weights (batch, seq_len))``.

- :class:`PooledConvClassifier`: the convolutional encoder of chapter 2
  (:class:`~attnlab.models.convolutional.ConvEncoder`), then max, mean, softmax or attention
  pooling (:mod:`attnlab.pooling`), then a linear layer.
- :class:`LSTMClassifier`: an LSTM alone; its state after each sentence's last word is the
  sentence vector.
- :class:`LSTMQueryConvClassifier`: the notes' attention pooling (C8c). The LSTM's sentence vector
  is the query; the CNN's feature map gives the keys and values; the attention output replaces
  max pooling as the sentence vector. The LSTM and the CNN share one embedding.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_tokens
from ..pooling import AttentionPooling, max_pool, mean_pool, softmax_pool
from .convolutional import ConvEncoder
from .recurrent import set_forget_bias

__all__ = ["POOLINGS", "PooledConvClassifier", "LSTMClassifier", "LSTMQueryConvClassifier"]

POOLINGS = ("max", "mean", "softmax", "attention")


def _lengths(tokens: torch.Tensor, pad_token: int) -> torch.Tensor:
    """The number of non-padding tokens of each (right-padded) row, at least 1: (batch,)."""
    return (tokens != pad_token).sum(dim=1).clamp(min=1)


def _zero_padding(encoder: ConvEncoder, pad_token: int) -> ConvEncoder:
    """Give ``encoder``'s padding token a zero embedding that stays zero, as the convolution's own
    zero padding is: a sentence then gets the same features however much padding follows it."""
    encoder.embedding.padding_idx = pad_token
    with torch.no_grad():
        encoder.embedding.weight[pad_token] = 0.0
    return encoder


def _sentence_vector(lstm: nn.LSTM, embeddings: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The LSTM's state after each row's last word: embeddings (batch, seq_len, d) -> (batch, d_hidden).

    With right padding the states before position ``lengths - 1`` never see a padding token; the
    batch is cut to its longest row first, which saves the steps no row needs.
    """
    states, _ = lstm(embeddings[:, :int(lengths.max())])
    return states[torch.arange(len(lengths), device=states.device), lengths - 1]


class PooledConvClassifier(nn.Module):
    """Embedding -> ``n_layers`` x (Conv1d, ReLU) -> pooling over positions -> linear.

    ``pooling``: "max", "mean", "softmax" (per channel, at ``temperature``) or "attention" (a
    learned query, :class:`~attnlab.pooling.AttentionPooling`). ``attend(tokens)`` returns the
    logits and the weights over positions (batch, seq_len): attention's weights, or for the
    per-channel poolings the average of the channels' weights (for max pooling: the fraction of
    channels that select each position).
    """

    def __init__(self, vocab_size: int, n_classes: int, d_embed: int = 32, channels: int = 64,
                 kernel_size: int = 3, n_layers: int = 1, pooling: str = "max", temperature: float = 1.0,
                 pad_token: int = 0):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.pooling, self.temperature, self.pad_token = pooling, temperature, pad_token
        self.encoder = _zero_padding(ConvEncoder(vocab_size, d_embed, channels, kernel_size, n_layers), pad_token)
        self.attention = AttentionPooling(channels) if pooling == "attention" else None
        self.classifier = nn.Linear(channels, n_classes)

    def pool(self, features: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """features (batch, seq_len, channels), mask (batch, seq_len) -> (pooled (batch, channels),
        weights (batch, seq_len))."""
        if self.pooling == "attention":
            return self.attention.attend(features, mask)
        if self.pooling == "softmax":
            pooled, weights = softmax_pool(features, self.temperature, mask)
        else:
            pooled, weights = (max_pool if self.pooling == "max" else mean_pool)(features, mask)
        return pooled, weights.mean(dim=-1)

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens (batch, seq_len) -> ``(logits (batch, n_classes), weights (batch, seq_len))``."""
        require_tokens("tokens", tokens)
        pooled, weights = self.pool(self.encoder(tokens), tokens != self.pad_token)
        return self.classifier(pooled), weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]


class LSTMClassifier(nn.Module):
    """Embedding -> LSTM -> the state after the last word -> linear: the "LSTM alone" baseline.

    ``attend(tokens)`` returns the logits and weights all on each row's last word (for plots).
    The forget gate's bias starts at 1 (chapter 2, "Local encoding").
    """

    def __init__(self, vocab_size: int, n_classes: int, d_embed: int = 32, d_hidden: int = 64, pad_token: int = 0):
        super().__init__()
        self.pad_token = pad_token
        self.embedding = nn.Embedding(vocab_size, d_embed, padding_idx=pad_token)
        self.lstm = set_forget_bias(nn.LSTM(d_embed, d_hidden, batch_first=True), 1.0)
        self.classifier = nn.Linear(d_hidden, n_classes)

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tokens("tokens", tokens)
        lengths = _lengths(tokens, self.pad_token)
        logits = self.classifier(_sentence_vector(self.lstm, self.embedding(tokens), lengths))
        weights = torch.zeros(tokens.shape, dtype=logits.dtype, device=tokens.device)
        weights[torch.arange(len(tokens), device=tokens.device), lengths - 1] = 1.0
        return logits, weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        require_tokens("tokens", tokens)
        return self.classifier(_sentence_vector(self.lstm, self.embedding(tokens), _lengths(tokens, self.pad_token)))


class LSTMQueryConvClassifier(nn.Module):
    """Attention pooling with an LSTM query (C8c): the LSTM's sentence vector scores the CNN's features.

    Shared embedding; keys and values = the CNN's feature map (batch, seq_len, channels); query =
    the LSTM's state after the last word (batch, d_hidden); the attention output (batch, channels)
    is the sentence vector, in place of max pooling. ``attend(tokens)`` -> (logits, weights (batch, seq_len)).
    """

    def __init__(self, vocab_size: int, n_classes: int, d_embed: int = 32, channels: int = 64,
                 d_hidden: int = 64, kernel_size: int = 3, n_layers: int = 1, pad_token: int = 0):
        super().__init__()
        self.pad_token = pad_token
        self.encoder = _zero_padding(ConvEncoder(vocab_size, d_embed, channels, kernel_size, n_layers), pad_token)
        self.lstm = set_forget_bias(nn.LSTM(d_embed, d_hidden, batch_first=True), 1.0)
        self.attention = AttentionPooling(channels, d_query=d_hidden)
        self.classifier = nn.Linear(channels, n_classes)

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tokens("tokens", tokens)
        embeddings = self.encoder.embedding(tokens)                           # shared by the CNN and the LSTM
        features = self.encoder.convolve(embeddings)                          # keys and values
        query = _sentence_vector(self.lstm, embeddings, _lengths(tokens, self.pad_token))
        pooled, weights = self.attention.attend(features, tokens != self.pad_token, query)
        return self.classifier(pooled), weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]
