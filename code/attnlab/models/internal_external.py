"""A small two-task text reader for chapter 4, "internal vs external information".

It attends twice over the same text:

1. *internal* attention: one self-attention layer, in which every word's query is computed from
   the word itself (``h_i = e_i + attention(q(e_i), k(e), e)``);
2. *external* attention: one learned task vector per task, a query that does not come from the
   text, pools the words' states ``h`` into one vector per task.

Same text, different external query, different weights. tokens: (batch, n_words) word ids,
0 = padding.

:class:`QuestionReader` makes the outside information real: a question id per example (which
task to answer about this text) either stays *outside* the text and becomes the query of the
readout (external attention), or is *appended* to the text as one more item, so that every query
is computed from the extended text (internal attention); ``where="none"`` drops it (a learned
constant query, the same for every input: the question-blind baseline).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ..attention import scaled_dot_product_attention
from ..checks import require_same_batch, require_shape, require_tensor, require_tokens

__all__ = ["TwoTaskReader", "TwoTaskWeights", "QuestionReader", "ReaderWeights", "PLACES"]

PLACES = ("outside", "appended", "none")


class TwoTaskWeights(NamedTuple):
    """The two attention distributions of :class:`TwoTaskReader`."""
    internal: torch.Tensor   # (batch, n_words, n_words): self-attention, queries from the words
    external: torch.Tensor   # (batch, n_queries, n_words): the task vectors' weights


class ReaderWeights(NamedTuple):
    """The two attention distributions of :class:`QuestionReader`, over its items
    (the words; with ``where="appended"`` the question item first, then the words)."""
    self_attention: torch.Tensor   # (batch, n_items, n_items)
    readout: torch.Tensor          # (batch, n_items): the weights of the readout query


class TwoTaskReader(nn.Module):
    """forward(tokens) -> logits (batch, n_tasks, n_classes).

    :meth:`attend` returns the pooled vectors (batch, n_queries, d_model) and
    :class:`TwoTaskWeights` (internal (batch, n_words, n_words), external (batch, n_queries, n_words)).
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
        require_tokens("tokens", tokens, "(batch, n_words)")
        embedded = self.embedding(tokens)
        mask = (tokens != 0)[:, None, :]
        context, internal = scaled_dot_product_attention(self.query(embedded), self.key(embedded), embedded, mask)
        states = embedded + context
        queries = self.task_queries if queries is None else queries
        d_model = embedded.shape[-1]
        require_tensor("queries", queries, f"(n_queries, d_model={d_model})", dim=2)
        require_shape("queries", queries, (None, d_model), f"(n_queries, d_model={d_model})")
        pooled, external = scaled_dot_product_attention(queries.expand(len(tokens), -1, -1),
                                                        self.task_key(states), states, mask)
        return pooled, TwoTaskWeights(internal, external)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pooled = self.attend(tokens)[0]
        return torch.stack([head(pooled[:, t]) for t, head in enumerate(self.heads)], dim=1)


class QuestionReader(nn.Module):
    """Reads a text to answer one of ``n_questions`` questions about it; forward(tokens, question) -> logits.

    tokens: (batch, n_words) word ids, 0 = padding; question: (batch,) question ids. Two attention
    layers, with the same parameters in every mode:

    1. self-attention over the items, ``h_i = x_i + attention(W_q x_i, W_k x, x)``;
    2. a readout ``r = q + attention(W_q' q, W_k' h, h)`` followed by a linear head.

    ``where`` decides where the question goes (chapter 4, "internal vs external information"):

    - ``"outside"``: the items are the words; the readout query ``q`` is the question's embedding,
      not computed from the text attended over: *external* attention;
    - ``"appended"``: the question's embedding is put in front of the words as one more item; the
      readout query is that item's state ``h_0``, computed from the (extended) text attended over:
      *internal* attention;
    - ``"none"``: the question is ignored; ``q`` is a learned vector, the same for every input.
    """

    def __init__(self, vocab_size: int, n_questions: int, where: str = "outside", d_model: int = 32,
                 n_classes: int = 2):
        super().__init__()
        if where not in PLACES:
            raise ValueError(f"where must be one of {PLACES}, got {where!r}")
        self.where, self.n_questions = where, n_questions
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.questions = nn.Embedding(1 if where == "none" else n_questions, d_model)
        self.query, self.key = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.read_query, self.read_key = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.head = nn.Linear(d_model, n_classes)

    def attend(self, tokens: torch.Tensor, question: torch.Tensor) -> tuple[torch.Tensor, ReaderWeights]:
        """-> (logits (batch, n_classes), :class:`ReaderWeights`), computed afresh."""
        require_tokens("tokens", tokens, "(batch, n_words)")
        require_tokens("question", question, "(batch,)")
        require_same_batch(tokens=tokens, question=question)
        if question.numel() and (question.min() < 0 or question.max() >= self.n_questions):
            raise ValueError(f"question holds ids from {question.min().item()} to {question.max().item()}; "
                             f"they must lie in [0, n_questions={self.n_questions})")
        items, mask = self.embedding(tokens), tokens != 0                    # (batch, n, d), (batch, n)
        asked = self.questions(torch.zeros_like(question) if self.where == "none" else question)   # (batch, d)
        if self.where == "appended":
            items = torch.cat([asked.unsqueeze(1), items], dim=1)            # (batch, 1 + n, d)
            mask = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        context, self_weights = scaled_dot_product_attention(self.query(items), self.key(items), items,
                                                             mask[:, None, :])
        states = items + context
        query = states[:, 0] if self.where == "appended" else asked          # (batch, d)
        read, read_weights = scaled_dot_product_attention(self.read_query(query).unsqueeze(1),
                                                          self.read_key(states), states, mask[:, None, :])
        logits = self.head(query + read.squeeze(1))
        return logits, ReaderWeights(self_weights, read_weights.squeeze(1))

    def forward(self, tokens: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens, question)[0]
