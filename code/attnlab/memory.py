"""A soft key–value memory: attention as addressing (寻址), and the hard lookup it tends to.

Introduced in chapter 3 ("Three steps: scores, distribution, weighted average" and
"A dictionary lookup is the zero-temperature limit"). A memory holds pairs (key, value). Reading
it with a query takes the three steps of the notes:

1. score every key against the query: ``scores = keys · query / temperature``;
2. turn the scores into the attention distribution α (注意力分布) with a softmax;
3. return the weighted average (加权平均) of the values under α: the attention value.

As ``temperature → 0`` the distribution puts all its weight on the best-matching key, and the
soft read becomes the hard read of a Python ``dict``: :func:`hard_read`.
"""

from __future__ import annotations

import torch

from .attention import masked_softmax
from .checks import require_shape, require_tensor, shape_of

__all__ = ["address_scores", "soft_read", "hard_read"]


def _check_memory(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> None:
    require_tensor("query", query, "(n_queries, d_k)", min_dim=1)
    require_tensor("keys", keys, "(n_keys, d_k)", min_dim=2)
    require_tensor("values", values, "(n_keys, d_v)", min_dim=2)
    require_shape("keys", keys, (None, None), "(n_keys, d_k)")
    require_shape("values", values, (None, None), "(n_keys, d_v)")
    d_k = keys.shape[-1]
    require_shape("query", query, (None,) * (query.dim() - 1) + (d_k,) if query.dim() <= 2 else (None, d_k),
                  f"(n_queries, d_k={d_k}) or (d_k={d_k},)")
    if keys.shape[0] != values.shape[0]:
        raise ValueError(f"keys has shape {shape_of(keys)} and values has shape {shape_of(values)}; "
                         f"they must hold the same number of items n_keys")


def address_scores(query: torch.Tensor, keys: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Step 1: dot-product scores of each query against each key, divided by ``temperature``.

    query: (n_queries, d_k) or (d_k,); keys: (n_keys, d_k). Returns (n_queries, n_keys) or (n_keys,).
    """
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    return query @ keys.T / temperature


def soft_read(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, temperature: float = 1.0,
              mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Read the memory softly: the three steps of addressing.

    query: (n_queries, d_k) or (d_k,); keys: (n_keys, d_k); values: (n_keys, d_v);
    mask: bool, broadcastable to the scores (n_queries, n_keys), ``True`` = may be read.
    Returns ``(read, weights)``: read (n_queries, d_v) or (d_v,), weights (n_queries, n_keys) or (n_keys,).
    """
    _check_memory(query, keys, values)
    scores = address_scores(query, keys, temperature)       # step 1: scores
    weights = masked_softmax(scores, mask)                   # step 2: attention distribution α
    return weights @ values, weights                         # step 3: weighted average of the values


def hard_read(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Read the memory hard: the value of the best-matching key (a dictionary lookup).

    query: (n_queries, d_k) or (d_k,); keys: (n_keys, d_k); values: (n_keys, d_v).
    Returns (n_queries, d_v) or (d_v,).
    """
    _check_memory(query, keys, values)
    return values[address_scores(query, keys).argmax(dim=-1)]
