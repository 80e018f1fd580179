"""A model that answers a question about one item of a set (chapter 1, "Information overload").

Every item (a feature vector plus a tag) is encoded by the same small network into a vector of
width ``d_model``. Then one of three read-outs:

- ``"mean"`` (late fusion): average the item vectors into one fixed-size summary, then answer
  from the summary and the question. The summary is made before the question is read, so one
  vector must serve every question that could be asked;
- ``"early"`` (early fusion): the question is fed to the item encoder together with each item,
  then the item vectors are averaged as in ``"mean"``. The summary is made for this question,
  but every item must be encoded again for every new question;
- ``"attention"``: the question is the query; it attends over the item vectors (encoded once,
  without the question) and answers from the attention value, so it can select the item that
  matters.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import scaled_dot_product_attention
from ..checks import require_mask, require_same_batch, require_shape, require_tensor, require_tokens

__all__ = ["TaggedSetClassifier", "READOUTS"]

READOUTS = ("mean", "early", "attention")


class TaggedSetClassifier(nn.Module):
    """forward(items (batch, n_items, d_item), tags (batch, n_items) long, mask (batch, n_items) bool,
    asked (batch,) long) -> logits (batch, n_classes). Masked-out slots are ignored by every read-out.

    :meth:`attend` returns ``(logits, weights)`` with the pooling weights (batch, n_items), computed
    afresh: the attention weights, or for ``"mean"`` and ``"early"`` the equal weights of the average.
    """

    def __init__(self, d_item: int, n_tags: int, n_classes: int, d_model: int = 32, readout: str = "mean"):
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {', '.join(map(repr, READOUTS))}, got {readout!r}")
        self.readout, self.n_tags = readout, n_tags
        self.tag_embedding = nn.Embedding(n_tags, d_model)
        # Early fusion: the encoder also reads the question (one more d_model-wide input).
        d_input = d_item + d_model + (d_model if readout == "early" else 0)
        self.item_encoder = nn.Sequential(nn.Linear(d_input, 2 * d_model), nn.ReLU(),
                                          nn.Linear(2 * d_model, d_model))
        # Only the attention read-out has a key projection: the one extra layer attention costs.
        self.key_proj = nn.Linear(d_model, d_model) if readout == "attention" else None
        self.answer = nn.Sequential(nn.Linear(2 * d_model, 2 * d_model), nn.ReLU(),
                                    nn.Linear(2 * d_model, n_classes))

    def _check(self, items, tags, mask, asked) -> None:
        require_tensor("items", items, "(batch, n_items, d_item)", dim=3)
        require_tokens("tags", tags, "(batch, n_items)")
        require_tokens("asked", asked, "(batch,)")
        require_same_batch(items=items, tags=tags, asked=asked)
        require_shape("tags", tags, tuple(items.shape[:2]), "(batch, n_items) like items")
        require_mask("mask", mask, items.shape[:2], "(batch, n_items)")

    def attend(self, items, tags, mask, asked) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (batch, n_classes), weights (batch, n_items))``, computed afresh."""
        self._check(items, tags, mask, asked)
        question = self.tag_embedding(asked)                                              # (batch, d)
        features = [items, self.tag_embedding(tags)]
        if self.readout == "early":                                 # the question joins every item
            features.append(question.unsqueeze(1).expand(-1, items.shape[1], -1))
        encoded = self.item_encoder(torch.cat(features, dim=-1))                          # (batch, n, d)
        if self.readout == "attention":
            summary, weights = scaled_dot_product_attention(
                question.unsqueeze(1), self.key_proj(encoded), encoded, mask.unsqueeze(1))
            summary, weights = summary.squeeze(1), weights.squeeze(1)
        else:                                                       # the plain average of the items
            weights = mask.float() / mask.float().sum(dim=1, keepdim=True).clamp(min=1)
            summary = (weights.unsqueeze(-1) * encoded).sum(dim=1)
        return self.answer(torch.cat([summary, question], dim=-1)), weights

    def forward(self, items, tags, mask, asked):
        return self.attend(items, tags, mask, asked)[0]
