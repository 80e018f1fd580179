"""Score functions: how well does a query match a key? (chapter 4, "Score functions").

Every score function here is an ``nn.Module`` with one interface::

    forward(query: (..., n_queries, d_query), key: (..., n_keys, d_key)) -> scores (..., n_queries, n_keys)

The leading dimensions ``...`` of query and key must broadcast. Turn scores into an attention
distribution with :func:`attnlab.attention.masked_softmax`. Build one by name with
:func:`score_function`: ``"dot"``, ``"scaled_dot"``, ``"general"`` (bilinear, 矩阵相乘),
``"cosine"``, ``"additive"`` (concat, 串联, Bahdanau et al. 2015), ``"mlp"`` or ``"distance"``
(minus the squared Euclidean distance).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .checks import require_shape, require_tensor

__all__ = ["ScoreFunction", "DotScore", "ScaledDotScore", "GeneralScore", "CosineScore", "AdditiveScore",
           "MLPScore", "DistanceScore", "score_function", "SCORE_FUNCTIONS"]


class ScoreFunction(nn.Module):
    """Base class: checks the inputs, then calls :meth:`score`."""

    def __init__(self, d_query: int, d_key: int):
        super().__init__()
        for name, d in (("d_query", d_query), ("d_key", d_key)):
            if isinstance(d, bool) or not isinstance(d, int) or d < 1:
                raise ValueError(f"{name} must be a positive integer, got {d!r}")
        self.d_query, self.d_key = d_query, d_key

    def forward(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        """query: (..., n_queries, d_query); key: (..., n_keys, d_key) -> (..., n_queries, n_keys)."""
        for name, x, n, d in (("query", query, "n_queries", self.d_query), ("key", key, "n_keys", self.d_key)):
            expected = f"(..., {n}, {name.replace('query', 'd_query').replace('key', 'd_key')}={d})"
            require_tensor(name, x, expected, min_dim=2)
            require_shape(name, x, (..., d), expected)
        try:
            torch.broadcast_shapes(query.shape[:-2], key.shape[:-2])
        except RuntimeError:
            raise ValueError(f"query has shape {tuple(query.shape)} and key has shape {tuple(key.shape)}; "
                             f"their leading (batch) dimensions must broadcast") from None
        return self.score(query, key)

    def score(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def _same_width(name: str, d_query: int, d_key: int) -> None:
    if d_query != d_key:
        raise ValueError(f"the {name} score needs d_query == d_key, got d_query={d_query} and d_key={d_key}; "
                         f"use 'general', 'additive' or 'mlp' for a query and key of different widths")


class DotScore(ScoreFunction):
    """s(q, k) = q · k (Luong et al. 2015's "dot"). No parameters."""

    def __init__(self, d_query: int, d_key: int | None = None):
        super().__init__(d_query, d_query if d_key is None else d_key)
        _same_width("dot", self.d_query, self.d_key)

    def score(self, query, key):
        return query @ key.transpose(-2, -1)


class ScaledDotScore(DotScore):
    """s(q, k) = q · k / sqrt(d) (Vaswani et al. 2017). No parameters."""

    def score(self, query, key):
        return query @ key.transpose(-2, -1) / math.sqrt(self.d_key)


class GeneralScore(ScoreFunction):
    """s(q, k) = q^T W k, bilinear (Luong et al.'s "general", 矩阵相乘). W: (d_query, d_key)."""

    def __init__(self, d_query: int, d_key: int | None = None):
        super().__init__(d_query, d_query if d_key is None else d_key)
        self.weight = nn.Parameter(torch.empty(self.d_query, self.d_key))
        nn.init.xavier_uniform_(self.weight)

    def score(self, query, key):
        return (query @ self.weight) @ key.transpose(-2, -1)


class CosineScore(ScoreFunction):
    """s(q, k) = scale · cos(q, k), in [-scale, scale]. No parameters (``scale`` is fixed)."""

    def __init__(self, d_query: int, d_key: int | None = None, scale: float = 1.0):
        super().__init__(d_query, d_query if d_key is None else d_key)
        _same_width("cosine", self.d_query, self.d_key)
        self.scale = float(scale)

    def score(self, query, key):
        return self.scale * F.normalize(query, dim=-1) @ F.normalize(key, dim=-1).transpose(-2, -1)


class AdditiveScore(ScoreFunction):
    """s(q, k) = v^T tanh(W_q q + W_k k) (Bahdanau et al. 2015; "concat", 串联: W [q; k] = W_q q + W_k k)."""

    def __init__(self, d_query: int, d_key: int | None = None, d_hidden: int | None = None):
        super().__init__(d_query, d_query if d_key is None else d_key)
        d_hidden = d_hidden or self.d_key
        self.query_proj = nn.Linear(self.d_query, d_hidden, bias=False)
        self.key_proj = nn.Linear(self.d_key, d_hidden, bias=True)
        self.v = nn.Linear(d_hidden, 1, bias=False)

    def score(self, query, key):
        # (..., n_queries, 1, d_hidden) + (..., 1, n_keys, d_hidden) -> (..., n_queries, n_keys, d_hidden)
        hidden = torch.tanh(self.query_proj(query).unsqueeze(-2) + self.key_proj(key).unsqueeze(-3))
        return self.v(hidden).squeeze(-1)


class MLPScore(ScoreFunction):
    """s(q, k) = MLP([q; k]) with two hidden ReLU layers (多层感知机): a deeper cousin of additive."""

    def __init__(self, d_query: int, d_key: int | None = None, d_hidden: int | None = None):
        super().__init__(d_query, d_query if d_key is None else d_key)
        d_hidden = d_hidden or self.d_key
        self.first_query = nn.Linear(self.d_query, d_hidden, bias=False)  # the first layer, split over [q; k]
        self.first_key = nn.Linear(self.d_key, d_hidden, bias=True)
        self.rest = nn.Sequential(nn.ReLU(), nn.Linear(d_hidden, d_hidden), nn.ReLU(), nn.Linear(d_hidden, 1))

    def score(self, query, key):
        hidden = self.first_query(query).unsqueeze(-2) + self.first_key(key).unsqueeze(-3)
        return self.rest(hidden).squeeze(-1)


class DistanceScore(ScoreFunction):
    """s(q, k) = -||q - k||^2, minus the squared Euclidean distance. No parameters.

    It equals 2 q·k - ||k||^2 - ||q||^2; the last term is the same for every key, so its softmax
    is that of 2 q·k - ||k||^2: a dot product corrected for the keys' lengths.
    """

    def __init__(self, d_query: int, d_key: int | None = None):
        super().__init__(d_query, d_query if d_key is None else d_key)
        _same_width("distance", self.d_query, self.d_key)

    def score(self, query, key):
        return -(query.unsqueeze(-2) - key.unsqueeze(-3)).pow(2).sum(-1)


SCORE_FUNCTIONS = {"dot": DotScore, "scaled_dot": ScaledDotScore, "general": GeneralScore,
                   "cosine": CosineScore, "additive": AdditiveScore, "mlp": MLPScore,
                   "distance": DistanceScore}
_ALIASES = {"bilinear": "general", "concat": "additive", "scaled": "scaled_dot", "neg_sq_distance": "distance"}


def score_function(name: str, d_query: int, d_key: int | None = None, **options) -> ScoreFunction:
    """The score function called ``name`` for queries of width ``d_query`` and keys of width ``d_key``.

    ``options``: ``d_hidden`` for "additive" and "mlp", ``scale`` for "cosine".
    """
    if not isinstance(name, str) or _ALIASES.get(name, name) not in SCORE_FUNCTIONS:
        raise ValueError(f"unknown score function {name!r}; choose one of {sorted(SCORE_FUNCTIONS)} "
                         f"(or the aliases {sorted(_ALIASES)})")
    return SCORE_FUNCTIONS[_ALIASES.get(name, name)](d_query, d_key, **options)
