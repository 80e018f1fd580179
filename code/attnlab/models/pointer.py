"""The pointer of chapter 4, section "Score functions" (score-functions.ipynb).

A pointer scores its query against the keys with one score function and returns the scores as
logits over the keys: the score function is the *whole* model, so comparing pointers compares
score functions. Task: :func:`attnlab.data.pointing.make_pointing`.
"""

from __future__ import annotations

import torch
from torch import nn

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
        if not torch.is_tensor(query) or query.dim() != 2 or query.shape[-1] != self.d:
            raise ValueError(f"query must have shape (batch, d={self.d}), got "
                             f"{tuple(query.shape) if torch.is_tensor(query) else type(query).__name__}")
        if not torch.is_tensor(keys) or keys.dim() != 3 or keys.shape[-1] != self.score.d_key \
                or keys.shape[0] != query.shape[0]:
            raise ValueError(f"keys must have shape (batch={query.shape[0]}, n_keys, d={self.score.d_key}), got "
                             f"{tuple(keys.shape) if torch.is_tensor(keys) else type(keys).__name__}")
        scores = self.score(query[:, None, :], keys)[:, 0]           # (batch, n_keys)
        return scores, torch.softmax(scores, dim=-1)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return self.attend(query, keys)[0]
