"""A convolutional sequence encoder and classifier: embed -> stacked Conv1d -> pooling -> linear.

Introduced in chapter 2 ("Local encoding"): each output of a convolution sees only a window of
``kernel_size`` inputs, so a stack of ``n_layers`` sees ``1 + n_layers * (kernel_size - 1)``
(its receptive field, see :func:`attnlab.measure.receptive_field`). Reused in chapter 5.
:class:`Convolution` is one bare layer on (batch, seq_len, d_model), the wiring that chapter 2
measures ("Seeing further by going deeper", "Three layers, measured").
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_odd_int, require_one_of, require_shape, require_tensor, require_tokens, require_vectors

__all__ = ["Convolution", "ConvEncoder", "POOLINGS", "pool_positions", "ConvClassifier", "ConvStateEncoder"]


class Convolution(nn.Module):
    """One Conv1d from d_model to d_model channels with 'same' zero padding, and no ReLU.

    forward(x: (batch, seq_len, d_model)) -> (batch, seq_len, d_model). Without a ReLU the
    outputs that cannot see an input are exactly those the wiring excludes, which is what
    :func:`attnlab.measure.layers_to_connect` counts (chapter 2, "Seeing further by going deeper").
    """

    def __init__(self, d_model: int, kernel_size: int = 3, dilation: int = 1):
        super().__init__()
        require_odd_int("kernel_size", kernel_size)
        self.d_model = d_model
        self.conv = nn.Conv1d(d_model, d_model, kernel_size, padding=dilation * (kernel_size // 2), dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_vectors("x", x, self.d_model, "seq_len")
        return self.conv(x.transpose(1, 2)).transpose(1, 2)  # Conv1d wants (batch, channels, seq_len)


class ConvEncoder(nn.Module):
    """Embedding, then ``n_layers`` of (Conv1d with 'same' zero padding, ReLU).

    forward(tokens: (batch, seq_len) long) -> states (batch, seq_len, channels).
    :meth:`convolve` runs the convolutions on embeddings (batch, seq_len, d_embed) directly,
    which is what the receptive-field measurement differentiates.
    """

    def __init__(self, vocab_size: int, d_embed: int, channels: int, kernel_size: int = 3, n_layers: int = 2):
        super().__init__()
        require_odd_int("kernel_size", kernel_size)
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers}")
        self.d_embed, self.channels, self.kernel_size, self.n_layers = d_embed, channels, kernel_size, n_layers
        self.embedding = nn.Embedding(vocab_size, d_embed)
        widths = [d_embed] + [channels] * n_layers
        self.convs = nn.ModuleList(nn.Conv1d(w_in, w_out, kernel_size, padding=kernel_size // 2)
                                   for w_in, w_out in zip(widths, widths[1:]))

    def convolve(self, embeddings: torch.Tensor) -> torch.Tensor:
        """embeddings: (batch, seq_len, d_embed) -> (batch, seq_len, channels)."""
        require_tensor("embeddings", embeddings, f"(batch, seq_len, d_embed={self.d_embed})", dim=3)
        require_shape("embeddings", embeddings, (None, None, self.d_embed), f"(batch, seq_len, d_embed={self.d_embed})")
        x = embeddings.transpose(1, 2)  # Conv1d wants (batch, channels, seq_len)
        for conv in self.convs:
            x = torch.relu(conv(x))
        return x.transpose(1, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        require_tokens("tokens", tokens)
        return self.convolve(self.embedding(tokens))


POOLINGS = ("mean", "max", "middle")


def pool_positions(states: torch.Tensor, pooling: str) -> torch.Tensor:
    """(batch, seq_len, channels) -> (batch, channels): the mean or the max over the positions,
    or the one state in the middle (``pooling`` of :data:`POOLINGS`)."""
    if pooling == "middle":
        return states[:, (states.shape[1] - 1) // 2]
    return states.mean(dim=1) if pooling == "mean" else states.amax(dim=1)


class ConvClassifier(nn.Module):
    """:class:`ConvEncoder` -> pooling over positions -> linear; forward(tokens) -> logits (batch, n_classes).

    ``pooling="mean"`` (the default) makes the logit a *sum of local contributions*, one per
    window of the receptive field: two tokens further apart than the receptive field can never
    interact. ``pooling="max"`` is also available, and ``pooling="middle"`` reads the one output
    at position ``(seq_len - 1) // 2``, whose window is the widest-reaching one: a single state, as
    a Transformer classifier reads its first position (chapter 2, "A CNN deep enough").
    """

    def __init__(self, vocab_size: int, n_classes: int, d_embed: int = 16, channels: int = 32,
                 kernel_size: int = 3, n_layers: int = 2, pooling: str = "mean"):
        super().__init__()
        self.pooling = require_one_of("pooling", pooling, POOLINGS)
        self.encoder = ConvEncoder(vocab_size, d_embed, channels, kernel_size, n_layers)
        self.classifier = nn.Linear(channels, n_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.classifier(pool_positions(self.encoder(tokens), self.pooling))


class ConvStateEncoder(nn.Module):
    """A :class:`ConvEncoder` in the form a recurrent read-out takes (chapter 3, "Attention weights
    are not explanations"): each state sees only its ``kernel_size``-token window, so a read-out
    over these states has *local* values, where a recurrent encoder's states summarise the prefix.

    forward(tokens: (batch, seq_len) long, lengths=None) -> (states (batch, seq_len, channels),
    last state (batch, channels)), like :class:`~attnlab.models.recurrent.RecurrentEncoder`;
    use it as ``RecurrentClassifier(ConvStateEncoder(...), AttentionReadout(channels), n_classes)``.
    """

    def __init__(self, vocab_size: int, d_embed: int, channels: int, kernel_size: int = 3, n_layers: int = 1):
        super().__init__()
        self.conv = ConvEncoder(vocab_size, d_embed, channels, kernel_size, n_layers)
        self.d_hidden = channels

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor | None = None):
        states = self.conv(tokens)
        return states, states[:, -1]
