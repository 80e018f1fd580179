"""A small two-task text reader for chapter 4, "internal vs external information".

It attends twice over the same text:

1. *internal* attention: one self-attention layer, in which every word's query is computed from
   the word itself (``h_i = e_i + attention(q(e_i), k(e), e)``);
2. *external* attention: one learned task vector per task, a query that does not come from the
   text, pools the words' states ``h`` into one vector per task.

Same text, different external query, different weights. tokens: (batch, n_words) word ids,
0 = padding.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..attention import scaled_dot_product_attention

__all__ = ["TwoTaskReader"]


class TwoTaskReader(nn.Module):
    """forward(tokens) -> logits (batch, n_tasks, n_classes).

    :meth:`attend` returns the pooled vectors (batch, n_tasks, d_model), the internal weights
    (batch, n_words, n_words) and the external weights (batch, n_queries, n_words).
    """

    def __init__(self, vocab_size: int, n_tasks: int = 2, d_model: int = 32, n_classes: int = 2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.query, self.key = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.task_key = nn.Linear(d_model, d_model)
        self.task_queries = nn.Parameter(torch.randn(n_tasks, d_model) / math.sqrt(d_model))
        self.heads = nn.ModuleList(nn.Linear(d_model, n_classes) for _ in range(n_tasks))

    def attend(self, tokens: torch.Tensor, queries: torch.Tensor | None = None):
        """queries: (n_queries, d_model) external queries, the task vectors by default."""
        if not torch.is_tensor(tokens) or tokens.dim() != 2 or tokens.is_floating_point():
            raise ValueError(f"tokens must be an integer tensor of shape (batch, n_words), got "
                             f"{tuple(getattr(tokens, 'shape', ()))}")
        embedded = self.embedding(tokens)
        mask = (tokens != 0)[:, None, :]
        context, internal = scaled_dot_product_attention(self.query(embedded), self.key(embedded), embedded, mask)
        states = embedded + context
        queries = self.task_queries if queries is None else queries
        if queries.dim() != 2 or queries.shape[-1] != embedded.shape[-1]:
            raise ValueError(f"queries has shape {tuple(queries.shape)} but must have shape "
                             f"(n_queries, d_model={embedded.shape[-1]})")
        pooled, external = scaled_dot_product_attention(queries.expand(len(tokens), -1, -1),
                                                        self.task_key(states), states, mask)
        return pooled, internal, external

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pooled = self.attend(tokens)[0]
        return torch.stack([head(pooled[:, t]) for t, head in enumerate(self.heads)], dim=1)
