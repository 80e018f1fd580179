"""The marked-pair reader of chapter 4, section "Multi-head attention" (multi-head.ipynb).

One learned query reads a row of digits with :class:`attnlab.attention.MultiHeadAttention`; a
small MLP maps the attention output to the ten answers of the marked-pairs task
(:func:`attnlab.data.marked_pairs.make_marked_pairs`). The number of heads is the one thing
the section varies: at a fixed width ``d``, 1, 2, 4 or 8 heads have the same parameters.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import MultiHeadAttention
from ..checks import require_positive_int, require_tokens

__all__ = ["MarkedPairReader"]


class MarkedPairReader(nn.Module):
    """attend(digits (batch, n_positions) long, marks (batch, n_positions) long in 0..2)
    -> (logits (batch, 10), weights (batch, num_heads, n_positions)).

    Each position is the sum of a digit embedding and a mark embedding (0 none, 1 = a, 2 = b).
    ``forward`` returns the logits only (what :func:`attnlab.train.fit` needs).
    """

    def __init__(self, d: int = 16, num_heads: int = 2, d_hidden: int = 64):
        super().__init__()
        for name, value in (("d", d), ("num_heads", num_heads), ("d_hidden", d_hidden)):
            require_positive_int(name, value)
        self.digit, self.mark = nn.Embedding(10, d), nn.Embedding(3, d)
        self.query = nn.Parameter(torch.randn(1, 1, d))
        self.attention = MultiHeadAttention(d, num_heads)
        self.mlp = nn.Sequential(nn.Linear(d, d_hidden), nn.ReLU(), nn.Linear(d_hidden, 10))

    def attend(self, digits: torch.Tensor, marks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (batch, 10) and the heads' weights (batch, num_heads, n_positions), computed afresh."""
        require_tokens("digits", digits, "(batch, n_positions)")
        require_tokens("marks", marks, "(batch, n_positions)")
        if digits.shape != marks.shape:
            raise ValueError(f"digits has shape {tuple(digits.shape)} and marks has shape {tuple(marks.shape)}; "
                             f"both must be (batch, n_positions)")
        x = self.digit(digits) + self.mark(marks)                                   # (batch, n, d)
        output, weights = self.attention.attend(self.query.expand(len(x), 1, -1), x, x)  # (batch, 1, d)
        return self.mlp(output[:, 0]), weights[:, :, 0]                             # weights: (batch, heads, n)

    def forward(self, digits: torch.Tensor, marks: torch.Tensor) -> torch.Tensor:
        return self.attend(digits, marks)[0]
