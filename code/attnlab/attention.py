"""The attention core: masked softmax, scaled dot-product attention, multi-head attention.

Introduced in chapter 1 ("Attention as soft selection") and used by every later chapter.
Shapes are written the same way everywhere:

- scores, weights: ``(..., n_queries, n_keys)``
- query: ``(..., n_queries, d_k)``, key: ``(..., n_keys, d_k)``, value: ``(..., n_keys, d_v)``
- mask: boolean, ``True`` = the query may attend to that key, broadcastable to the scores.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .checks import (require_non_negative_int, require_positive_int, require_probability, require_same_batch, require_same_dtype,
                     require_shape, require_tensor, require_vectors, shape_of)

__all__ = ["masked_softmax", "softmax_average", "scaled_dot_product_attention", "MultiHeadAttention",
           "AttentionCache", "check_mask", "chunked_attention", "causal_mask", "padding_mask"]


def _check_query_key_value(query, key, value) -> None:
    """query: (..., n_queries, d_k), key: (..., n_keys, d_k), value: (..., n_keys, d_v)."""
    require_tensor("query", query, "(..., n_queries, d_k)", min_dim=2)
    require_tensor("key", key, "(..., n_keys, d_k)", min_dim=2)
    require_tensor("value", value, "(..., n_keys, d_v)", min_dim=2)
    require_same_dtype(query=query, key=key, value=value)
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"query has shape {shape_of(query)} and key has shape {shape_of(key)}; "
                         f"their last dimension d_k must agree")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key has shape {shape_of(key)} and value has shape {shape_of(value)}; "
                         f"they must have the same number of keys n_keys (dimension -2)")
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(f"query {shape_of(query)}, key {shape_of(key)} and value {shape_of(value)} have "
                         f"batch dimensions (all but the last two) that do not match or broadcast") from None


def check_mask(mask, scores_shape: torch.Size) -> torch.Tensor:
    """Validate a boolean mask and expand it to ``scores_shape``.

    mask: bool, broadcastable to ``scores_shape`` (``True`` = may attend).
    Returns the mask expanded to ``scores_shape``.
    """
    shape = tuple(scores_shape)
    if not torch.is_tensor(mask):
        raise TypeError(f"mask must be a boolean torch.Tensor broadcastable to the scores {shape}, "
                        f"got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must have dtype torch.bool (True = may attend), got {mask.dtype}; "
                        f"use mask.bool() or a comparison such as lengths[:, None] > positions")
    try:
        broadcast = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        broadcast = None
    if broadcast != torch.Size(scores_shape):
        raise ValueError(f"mask has shape {shape_of(mask)} but scores have shape {shape}; "
                         f"the mask must broadcast to the scores (..., n_queries, n_keys)")
    return mask.expand(scores_shape)


def causal_mask(n: int, device: torch.device | str | None = None, *, past: int = 0) -> torch.Tensor:
    """The causal mask of a decoder (chapter 7, "Masks that do not leak"): boolean ``(n, n)``,
    ``True`` on and below the diagonal, so position i may attend to positions 0..i only.

    With ``past`` positions already decoded (a KV cache), the mask of the ``n`` new positions
    over all ``past + n`` keys: ``(n, past + n)``, new position i seeing keys 0..past + i.

    PyTorch's ``nn.Transformer.generate_square_subsequent_mask`` is the same mask written the
    other way round: a float mask with ``-inf`` where ours is ``False``.
    """
    require_positive_int("n", n)
    require_non_negative_int("past", past)
    return torch.ones(n, past + n, dtype=torch.bool, device=device).tril(diagonal=past)


def padding_mask(lengths: torch.Tensor, n: int) -> torch.Tensor:
    """``(batch, n)`` bool, ``True`` at the first ``lengths[b]`` positions (real tokens), ``False``
    at padding. As a key mask for attention: ``padding_mask(lengths, n)[:, None, :]``."""
    require_tensor("lengths", lengths, "(batch,)", dim=1, floating=False)
    require_positive_int("n", n)
    return torch.arange(n, device=lengths.device)[None, :] < lengths[:, None]


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None, dim: int = -1) -> torch.Tensor:
    """Softmax of ``scores`` along ``dim`` in which masked positions get weight exactly 0.

    scores: (..., n_keys) floating point.
    mask: bool, broadcastable to ``scores``; ``True`` = may attend.
    Returns weights of the shape of ``scores``. A row with no ``True`` entry gets all-zero
    weights (never NaN, never uniform), and its gradient is zero, not NaN.
    """
    require_tensor("scores", scores, "(..., n_keys)", min_dim=1)
    if mask is None:
        return torch.softmax(scores, dim=dim)
    mask = check_mask(mask, scores.shape)
    has_any = mask.any(dim=dim, keepdim=True)
    # Fill masked scores with -inf; rows with nothing to attend to get 0s so softmax stays finite.
    filled = scores.masked_fill(~mask, float("-inf")).masked_fill(~has_any, 0.0)
    return torch.softmax(filled, dim=dim).masked_fill(~mask, 0.0)


def softmax_average(scores: torch.Tensor, value: torch.Tensor,
                    mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The second half of every attention in the book: the scores become weights
    (:func:`masked_softmax`), and the output is the weighted average of the values.

    scores: (..., n_queries, n_keys); value: (..., n_keys, d_v); mask as in :func:`masked_softmax`.
    Returns ``(output (..., n_queries, d_v), weights (..., n_queries, n_keys))``.
    """
    weights = masked_softmax(scores, mask)
    return weights @ value, weights


def scaled_dot_product_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                                 mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention with scores ``query · key / sqrt(d_k)``.

    query: (..., n_queries, d_k); key: (..., n_keys, d_k); value: (..., n_keys, d_v);
    mask: bool, broadcastable to (..., n_queries, n_keys), ``True`` = may attend.
    Returns ``(output, weights)``: output (..., n_queries, d_v), weights (..., n_queries, n_keys).
    A query whose keys are all masked gets zero weights and a zero output.
    """
    _check_query_key_value(query, key, value)
    return softmax_average(query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1]), value, mask)


class AttentionCache:
    """The keys and values one attention module has already computed, kept between decoding
    steps (chapter 7, "Decoding with a KV cache"): (batch, heads, n_cached, d_head) each.

    A self-attention cache grows: each step appends the new positions' keys and values. A
    cross-attention cache is ``static``: the memory's keys and values are computed at the first
    step and reused. ``select(rows)`` keeps rows of the batch (beam search reorders its beams).
    """

    def __init__(self, static: bool = False):
        self.static = static
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None

    @property
    def length(self) -> int:
        """Positions cached so far."""
        return 0 if self.keys is None else self.keys.shape[2]

    def nbytes(self) -> int:
        """Bytes held: keys and values, batch x heads x positions x d_head x the item size."""
        return sum(t.numel() * t.element_size() for t in (self.keys, self.values) if t is not None)

    def update(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append (or, for a static cache, store once) and return every cached key and value."""
        if self.keys is None:
            self.keys, self.values = keys, values
        elif not self.static:
            self.keys = torch.cat([self.keys, keys], dim=2)
            self.values = torch.cat([self.values, values], dim=2)
        return self.keys, self.values

    def select(self, rows: torch.Tensor) -> "AttentionCache":
        chosen = AttentionCache(self.static)
        if self.keys is not None:
            chosen.keys, chosen.values = self.keys[rows], self.values[rows]
        return chosen


class MultiHeadAttention(nn.Module):
    """Multi-head attention (Vaswani et al. 2017), built on :func:`scaled_dot_product_attention`:
    the one multi-head path of the package (chapters 4 and 7; every Transformer uses it).

    Each of ``num_heads`` heads projects the inputs to width ``d_head = d_model // num_heads``,
    attends, and the heads' outputs are concatenated and projected back to ``d_model``.

    ``attend(query, key=None, value=None, mask=None, *, cache=None, head_mask=None)`` returns
    ``(output (batch, n_queries, d_model), weights (batch, heads, n_queries, n_keys))``;
    ``forward`` returns the output only.

    - Self-attention: ``attend(x)`` (key and value default to the query); cross-attention:
      ``attend(x, memory)`` (value defaults to the key).
    - ``mask``: bool, True = may attend, broadcastable to (batch, n_queries, n_keys) (shared by
      the heads) or to (batch, heads, n_queries, n_keys).
    - ``cache``: an :class:`AttentionCache`. The new keys and values are appended to it (or, for
      a static cache, computed once), and the queries attend to every cached key; the mask then
      covers all of them (see :func:`causal_mask`'s ``past``).
    - ``head_mask``: (heads,), 1 keeps a head's output and 0 removes it before the output
      projection (head ablation, chapter 7).
    - ``dropout``: in training, each weight is zeroed with this probability (the rest scaled by
      1 / (1 - dropout)) before the values are averaged, as in ``nn.MultiheadAttention``; the
      weights returned are those before dropout.
    """

    def __init__(self, d_model: int, num_heads: int, bias: bool = True, dropout: float = 0.0):
        super().__init__()
        require_positive_int("d_model", d_model)
        require_positive_int("num_heads", num_heads)
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        require_probability("dropout", dropout)
        self.d_model, self.num_heads, self.d_head = d_model, num_heads, d_model // num_heads
        self.query_proj = nn.Linear(d_model, d_model, bias=bias)
        self.key_proj = nn.Linear(d_model, d_model, bias=bias)
        self.value_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.attention_dropout = nn.Dropout(dropout)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n, d_model) -> (batch, heads, n, d_head)."""
        batch, n, _ = x.shape
        return x.view(batch, n, self.num_heads, self.d_head).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, heads, n, d_head) -> (batch, n, d_model): the heads side by side."""
        batch, _, n, _ = x.shape
        return x.transpose(1, 2).reshape(batch, n, self.d_model)

    def _mask(self, mask, batch: int, n_queries: int, n_keys: int):
        if mask is None:
            return None
        if torch.is_tensor(mask) and mask.dim() == 4:
            return check_mask(mask, torch.Size((batch, self.num_heads, n_queries, n_keys)))
        return check_mask(mask, torch.Size((batch, n_queries, n_keys))).unsqueeze(1)

    def attend(self, query: torch.Tensor, key: torch.Tensor | None = None,
               value: torch.Tensor | None = None, mask: torch.Tensor | None = None, *,
               cache: AttentionCache | None = None,
               head_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        key = query if key is None else key
        value = key if value is None else value
        for name, x, n in (("query", query, "n_queries"), ("key", key, "n_keys"),
                           ("value", value, "n_keys")):
            require_vectors(name, x, self.d_model, n)
        require_same_batch(query=query, key=key, value=value)
        require_same_dtype(query=query, key=key, value=value)
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"key has shape {shape_of(key)} and value has shape {shape_of(value)}; "
                             f"they must hold the same number of keys n_keys (dimension 1)")
        if head_mask is not None:
            require_tensor("head_mask", head_mask, f"(heads={self.num_heads},)", dim=1)
            require_shape("head_mask", head_mask, (self.num_heads,), f"(heads={self.num_heads},)")
        if cache is not None and cache.static and cache.keys is not None:
            keys, values = cache.keys, cache.values        # the memory's, computed at the first step
        else:
            keys, values = self.split_heads(self.key_proj(key)), self.split_heads(self.value_proj(value))
            if cache is not None:
                keys, values = cache.update(keys, values)
        queries = self.split_heads(self.query_proj(query))
        mask = self._mask(mask, query.shape[0], query.shape[1], keys.shape[2])
        heads, weights = scaled_dot_product_attention(queries, keys, values, mask)
        if self.training and self.attention_dropout.p > 0:
            heads = self.attention_dropout(weights) @ values
        if head_mask is not None:
            heads = heads * head_mask.to(heads)[:, None, None]
        return self.out_proj(self.merge_heads(heads)), weights

    def forward(self, query: torch.Tensor, key: torch.Tensor | None = None,
                value: torch.Tensor | None = None, mask: torch.Tensor | None = None, *,
                cache: AttentionCache | None = None,
                head_mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.attend(query, key, value, mask, cache=cache, head_mask=head_mask)[0]


def chunked_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                      mask: torch.Tensor | None = None, chunk_size: int = 512,
                      query_chunk_size: int = 4096) -> torch.Tensor:
    """Memory-efficient scaled dot-product attention: the same output, without the n × n matrix.

    Introduced in chapter 3 ("Quadratic time and memory"). Keys are read ``chunk_size`` at a time
    with an *online softmax* (Milakov & Gimelshein 2018; Rabe & Staats 2021; FlashAttention): a
    running maximum, a running normaliser and a running weighted sum are rescaled whenever a
    larger score appears. Queries are processed ``query_chunk_size`` at a time, so the largest
    intermediate has at most ``query_chunk_size × chunk_size`` entries (8 MiB in float32 with the
    defaults): memory grows linearly in n up to 4096 queries and then stays flat, while the
    blocks stay large enough to keep the number of operations, and their overhead, small.
    Smaller query blocks (e.g. 1024, 2 MiB) stay closer to the processor's caches and can be
    faster; ``scripts/bench_attention.py`` compares block sizes with PyTorch's fused kernel. The
    running weighted sum and normaliser are updated in place when no gradient is needed.

    query: (..., n_queries, d_k); key: (..., n_keys, d_k); value: (..., n_keys, d_v);
    mask: bool, broadcastable to (..., n_queries, n_keys), ``True`` = may attend.
    Returns output (..., n_queries, d_v), equal to ``scaled_dot_product_attention``'s output; a
    query whose keys are all masked gets zeros. The weights are never formed, so none are returned.
    """
    _check_query_key_value(query, key, value)
    require_positive_int("chunk_size", chunk_size)
    require_positive_int("query_chunk_size", query_chunk_size)
    n_queries, n_keys = query.shape[-2], key.shape[-2]
    batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    if mask is not None:
        mask = check_mask(mask, torch.Size((*batch, n_queries, n_keys)))  # a view: no n × n copy
    scale = 1.0 / math.sqrt(query.shape[-1])
    # In-place updates of the score block and the running sums save time and memory, but autograd
    # needs the originals.
    in_place = not (torch.is_grad_enabled() and any(t.requires_grad for t in (query, key, value)))
    outputs = []
    for q_start in range(0, n_queries, query_chunk_size):
        q_block = query[..., q_start:q_start + query_chunk_size, :] * scale
        rows = q_block.shape[-2]
        running_max = q_block.new_full((*batch, rows, 1), float("-inf"))
        weighted_sum = q_block.new_zeros((*batch, rows, value.shape[-1]))
        normaliser = q_block.new_zeros((*batch, rows, 1))   # the sum of the exponentiated scores
        for k_start in range(0, n_keys, chunk_size):
            scores = q_block @ key[..., k_start:k_start + chunk_size, :].transpose(-2, -1)
            if mask is not None:
                block_mask = mask[..., q_start:q_start + rows, k_start:k_start + chunk_size]
                scores = (scores.masked_fill_ if in_place else scores.masked_fill)(~block_mask, float("-inf"))
            new_max = torch.maximum(running_max, scores.amax(dim=-1, keepdim=True))
            # While a row has seen only masked keys its maximum is -inf; shift by 0 instead (exp(-inf) = 0).
            shift = new_max.masked_fill(torch.isinf(new_max), 0.0)
            correction = torch.exp(running_max - shift)     # rescales the sums kept so far
            values = value[..., k_start:k_start + chunk_size, :]
            if in_place:
                exp_scores = scores.sub_(shift).exp_()
                weighted_sum.mul_(correction).add_(exp_scores @ values)
                normaliser.mul_(correction).add_(exp_scores.sum(dim=-1, keepdim=True))
            else:
                exp_scores = torch.exp(scores - shift)
                weighted_sum = weighted_sum * correction + exp_scores @ values
                normaliser = normaliser * correction + exp_scores.sum(dim=-1, keepdim=True)
            running_max = new_max
        # A fully masked query has normaliser 0 and weighted sum 0: its output is 0, not NaN.
        outputs.append(weighted_sum / normaliser.clamp_min(torch.finfo(normaliser.dtype).tiny))
    return torch.cat(outputs, dim=-2)
