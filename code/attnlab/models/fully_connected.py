"""A fully connected classifier over a fixed number of positions (chapter 2, "Dynamic weights").

The notes' "fully connected network" (全连接网络): embed each token, flatten the ``length``
embeddings into one vector, and apply a two-layer network. Every hidden unit has a weight for
every position, so any two positions meet in one layer, but the first weight matrix,
``(d_hidden, length * d_embed)``, fixes the length: another length does not fit.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_positive_int, require_tokens

__all__ = ["FullyConnectedClassifier"]


class FullyConnectedClassifier(nn.Module):
    """Embedding -> flatten -> Linear(length * d_embed, d_hidden) -> ReLU -> Linear(d_hidden, n_classes).

    forward(tokens: (batch, length) long) -> logits (batch, n_classes); tokens of any other
    length raise a ValueError that names the length the layer was built for.
    """

    def __init__(self, vocab_size: int, length: int, n_classes: int = 2, d_embed: int = 8, d_hidden: int = 32):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("length", length), ("n_classes", n_classes),
                            ("d_embed", d_embed), ("d_hidden", d_hidden)):
            require_positive_int(name, value)
        self.length = length
        self.embedding = nn.Embedding(vocab_size, d_embed)
        self.hidden = nn.Linear(length * d_embed, d_hidden)
        self.output = nn.Linear(d_hidden, n_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        require_tokens("tokens", tokens)
        if tokens.shape[1] != self.length:
            raise ValueError(f"tokens have shape {tuple(tokens.shape)}, but this fully connected layer was built "
                             f"for (batch, {self.length}): its weight matrix has one block of columns per position")
        return self.output(torch.relu(self.hidden(self.embedding(tokens).flatten(1))))
