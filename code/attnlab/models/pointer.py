"""The pointer of chapter 4, section "Score functions" (score-functions.ipynb).

A pointer scores its query against the keys with one score function and returns the scores as
logits over the keys: the score function is the *whole* model, so comparing pointers compares
score functions. Task: :func:`attnlab.data.pointing.make_pointing`.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import masked_softmax
from ..checks import require_shape, require_tensor
from ..scores import ScoreFunction, score_function

__all__ = ["Pointer"]


class Pointer(nn.Module):
    """attend(query (batch, d), keys (batch, n_keys, d)) -> (scores (batch, n_keys),
    weights (batch, n_keys)), the weights being the softmax of the scores.

    ``score``: a name for :func:`attnlab.scores.score_function` (e.g. ``"general"``) or a
    :class:`~attnlab.scores.ScoreFunction`. ``forward`` returns the scores, used as logits.
    """

    def __init__(self, score: str | ScoreFunction, d: int = 16):
        super().__init__()
        self.score = score if isinstance(score, ScoreFunction) else score_function(score, d, d)
        self.d = self.score.d_query

    def attend(self, query: torch.Tensor, keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tensor("query", query, f"(batch, d={self.d})", dim=2)
        require_shape("query", query, (None, self.d), f"(batch, d={self.d})")
        require_tensor("keys", keys, f"(batch, n_keys, d={self.score.d_key})", dim=3)
        require_shape("keys", keys, (query.shape[0], None, self.score.d_key),
                      f"(batch={query.shape[0]}, n_keys, d={self.score.d_key})")
        scores = self.score(query[:, None, :], keys)[:, 0]           # (batch, n_keys)
        return scores, masked_softmax(scores)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return self.attend(query, keys)[0]
