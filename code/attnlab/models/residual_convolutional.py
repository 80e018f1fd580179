"""A deep convolutional classifier with residual connections and LayerNorm (chapter 2, "A CNN deep
enough to see both ends").

The plain stack of :class:`~attnlab.models.convolutional.ConvClassifier` passes the signal
through ``n_layers`` convolutions, each of which replaces its input. Here each layer is a
*residual block* normalised first, as a sublayer of the course's pre-LN Transformer is
(He et al.'s residual connections, with LayerNorm, Ba et al.)::

    x <- x + ReLU(Conv1d(LayerNorm(x)))

so the embedding reaches the read-out along a path that no convolution touches, and every
position's vector is normalised before each convolution. (Normalising, applying the ReLU and
then convolving, He et al.'s "pre-activation" order, is the other common choice.) The wiring
is the plain stack's: with kernel size k, one output of ``n_layers`` blocks sees
``1 + n_layers * (k - 1)`` tokens (:func:`attnlab.measure.receptive_field`). A final
LayerNorm, then the same read-outs as :class:`~attnlab.models.convolutional.ConvClassifier`:
the mean or max over positions, or the ``"middle"`` output, at position ``(seq_len - 1) // 2``.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_odd_int, require_one_of, require_positive_int, require_tokens, require_vectors
from .convolutional import POOLINGS, pool_positions

__all__ = ["ResidualConvBlock", "ResidualConvClassifier"]


class ResidualConvBlock(nn.Module):
    """``x + ReLU(Conv1d(LayerNorm(x)))``, the convolution from ``channels`` to ``channels`` with
    'same' zero padding. forward(x: (batch, seq_len, channels)) -> (batch, seq_len, channels)."""

    def __init__(self, channels: int, kernel_size: int = 5):
        super().__init__()
        require_positive_int("channels", channels)
        require_odd_int("kernel_size", kernel_size)
        self.channels = channels
        self.norm = nn.LayerNorm(channels)
        self.conv = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_vectors("x", x, self.channels, "seq_len")
        h = self.conv(self.norm(x).transpose(1, 2))       # Conv1d wants (batch, channels, seq_len)
        return x + torch.relu(h).transpose(1, 2)


class ResidualConvClassifier(nn.Module):
    """Embedding (width ``channels``) -> ``n_layers`` :class:`ResidualConvBlock` -> LayerNorm ->
    pooling -> linear. forward(tokens: (batch, seq_len) long) -> logits (batch, n_classes);
    :meth:`encode` returns the states (batch, seq_len, channels) before the pooling, and
    :meth:`convolve` runs the blocks on embeddings directly (what a receptive-field measurement
    differentiates)."""

    def __init__(self, vocab_size: int, n_classes: int, channels: int = 16, kernel_size: int = 5,
                 n_layers: int = 8, pooling: str = "middle"):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("n_classes", n_classes), ("channels", channels),
                            ("n_layers", n_layers)):
            require_positive_int(name, value)
        self.pooling = require_one_of("pooling", pooling, POOLINGS)
        self.channels, self.kernel_size, self.n_layers = channels, kernel_size, n_layers
        self.embedding = nn.Embedding(vocab_size, channels)
        self.blocks = nn.ModuleList(ResidualConvBlock(channels, kernel_size) for _ in range(n_layers))
        self.norm = nn.LayerNorm(channels)
        self.classifier = nn.Linear(channels, n_classes)

    def convolve(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, seq_len, channels) embeddings -> (batch, seq_len, channels), normalised."""
        require_vectors("x", x, self.channels, "seq_len")
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    def encode(self, tokens: torch.Tensor) -> torch.Tensor:
        require_tokens("tokens", tokens)
        return self.convolve(self.embedding(tokens))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.classifier(pool_positions(self.encode(tokens), self.pooling))
