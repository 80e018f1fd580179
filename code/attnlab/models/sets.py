"""A model that answers a question about one item of a set (chapter 1, "Information overload").

Every item (a feature vector plus a tag) is encoded by the same small network into a vector of
width ``d_model``. Then one of two read-outs:

- ``"mean"``: average the item vectors into one fixed-size summary, then answer from the summary
  and the question; every item competes for the same ``d_model`` numbers;
- ``"attention"``: the question is the query; it attends over the item vectors and answers from
  the attention value, so it can select the item that matters.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import scaled_dot_product_attention
from .recurrent import MeanReadout

__all__ = ["TaggedSetClassifier"]


class TaggedSetClassifier(nn.Module):
    """forward(items (batch, n_items, d_item), tags (batch, n_items) long, mask (batch, n_items) bool,
    asked (batch,) long) -> logits (batch, n_classes). Masked-out slots are ignored by both read-outs.
    With ``readout="attention"`` the last weights (batch, n_items) are kept in ``self.weights``.
    """

    def __init__(self, d_item: int, n_tags: int, n_classes: int, d_model: int = 32, readout: str = "mean"):
        super().__init__()
        if readout not in ("mean", "attention"):
            raise ValueError(f"readout must be 'mean' or 'attention', got {readout!r}")
        self.readout, self.n_tags = readout, n_tags
        self.tag_embedding = nn.Embedding(n_tags, d_model)
        self.item_encoder = nn.Sequential(nn.Linear(d_item + d_model, 2 * d_model), nn.ReLU(),
                                          nn.Linear(2 * d_model, d_model))
        # Only the attention read-out has a key projection: the one extra layer attention costs.
        self.key_proj = nn.Linear(d_model, d_model) if readout == "attention" else None
        self.answer = nn.Sequential(nn.Linear(2 * d_model, 2 * d_model), nn.ReLU(),
                                    nn.Linear(2 * d_model, n_classes))
        self.weights: torch.Tensor | None = None

    def forward(self, items, tags, mask, asked):
        if items.dim() != 3 or tags.shape != items.shape[:2] or mask.shape != items.shape[:2] \
                or asked.shape != items.shape[:1]:
            raise ValueError(f"expected items (batch, n_items, d_item), tags and mask (batch, n_items), "
                             f"asked (batch,); got {tuple(items.shape)}, {tuple(tags.shape)}, "
                             f"{tuple(mask.shape)}, {tuple(asked.shape)}")
        encoded = self.item_encoder(torch.cat([items, self.tag_embedding(tags)], dim=-1))  # (batch, n, d)
        question = self.tag_embedding(asked)                                              # (batch, d)
        if self.readout == "mean":
            summary = MeanReadout()(encoded, None, mask)
        else:
            summary, weights = scaled_dot_product_attention(
                question.unsqueeze(1), self.key_proj(encoded), encoded, mask.unsqueeze(1))
            summary, self.weights = summary.squeeze(1), weights.squeeze(1).detach()
        return self.answer(torch.cat([summary, question], dim=-1))
