"""The attention reader of chapter 3 ("A trained model attends to what matters").

Token embeddings are pooled by one learned query (:class:`~attnlab.pooling.AttentionPooling`,
``alpha = softmax_i(tanh(W x_i + b) . u)``), and a small MLP reads the pooled vector. The values
are the token embeddings themselves, not contextualised states, so the weights decide which
tokens' information reaches the output.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_mask, require_positive_int, require_tokens
from ..pooling import AttentionPooling

__all__ = ["AttentionReader"]


class AttentionReader(nn.Module):
    """Embedding, attention pooling with a learned query, MLP.

    forward(tokens: (batch, n) long, keep: (batch, n) bool or None) -> logits (batch, n_classes).
    :meth:`attend` returns ``(logits, weights)``, weights (batch, n): the attention distribution
    over the tokens (0 where ``keep`` is False). ``keep=None`` keeps every token.
    """

    def __init__(self, vocab_size: int, n_classes: int, d: int = 32, d_hidden: int = 64):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("n_classes", n_classes), ("d", d), ("d_hidden", d_hidden)):
            require_positive_int(name, value)
        self.embedding, self.pool = nn.Embedding(vocab_size, d), AttentionPooling(d, score="tanh")
        self.head = nn.Sequential(nn.Linear(d, d_hidden), nn.ReLU(), nn.Linear(d_hidden, n_classes))

    def _check(self, tokens, keep) -> torch.Tensor:
        require_tokens("tokens", tokens, "(batch, n)")
        if keep is None:
            return torch.ones_like(tokens, dtype=torch.bool)
        return require_mask("keep", keep, tokens.shape, "(batch, n) like tokens")

    def attend(self, tokens: torch.Tensor, keep: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (batch, n_classes), weights (batch, n))``, computed afresh."""
        keep = self._check(tokens, keep)
        pooled, weights = self.pool.attend(self.embedding(tokens), keep)
        return self.head(pooled), weights

    def forward(self, tokens: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        return self.attend(tokens, keep)[0]
