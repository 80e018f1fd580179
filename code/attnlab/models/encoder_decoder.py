"""The Transformer of "Attention Is All You Need": encoder layer, decoder layer, encoder–decoder.

Chapter 7 ("Pure attention"). Built on :class:`attnlab.attention.MultiHeadAttention`; each class
has ``from_torch(module)``, which copies the weights of PyTorch's ``nn.TransformerEncoderLayer``,
``nn.TransformerDecoderLayer`` or ``nn.Transformer`` (``batch_first=True``), so that the outputs
can be checked against PyTorch's.

Layer order (``norm_first``)::

    post-LN (norm_first=False, the paper):  x = norm(x + sublayer(x))
    pre-LN  (norm_first=True,  GPT-2 etc.): x = x + sublayer(norm(x))

Every model here defaults to pre-LN (``norm_first=True``), the order of GPT-2, nanoGPT and the
course's chapter-2 block, which trains without a learning-rate warm-up; the original
Transformer of Vaswani et al. (2017) is post-LN, ``norm_first=False``, which is also PyTorch's
default: ``from_torch`` copies whichever order the PyTorch module has.

Dropout (``dropout``) sits where PyTorch's layers have it: on the attention weights, on each
sublayer's output before the residual addition, and inside the feed-forward network; the token
models also drop on the sum of embeddings and positions, as the paper does. It acts in training
mode only.

Attention weights are computed by every forward pass (the output needs them) but are collected
and returned only by the ``attend`` methods; ``forward`` keeps none of them.

Shapes: vectors (batch, n, d_model), batch first. Masks follow the course's convention: boolean,
``True`` = the query may attend to that key, broadcastable to (batch, n_queries, n_keys) or, with
one mask per head, (batch, heads, n_queries, n_keys). A key-padding mask is ``(batch, 1, n_keys)``
or ``(batch, 1, 1, n_keys)``; the causal mask is :func:`attnlab.attention.causal_mask`.

PyTorch writes masks the other way round: a bool ``attn_mask`` / ``tgt_mask`` is ``True`` where
attending is NOT allowed (or a float mask with ``-inf`` there), and ``key_padding_mask`` is
``True`` at padding. So::

    ours = ~torch_bool_mask                    # attn_mask, tgt_mask, memory_mask
    ours = ~key_padding_mask[:, None, :]       # src/tgt/memory_key_padding_mask
    ours = causal_mask(n)                      # tgt_mask = nn.Transformer.generate_square_subsequent_mask(n)

One difference remains: a query with no key to attend to gets zero weights here, NaN in PyTorch.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..attention import MultiHeadAttention, causal_mask, check_mask, masked_softmax
from ..checks import require_mask, require_positive_int, require_tensor, require_tokens, shape_of
from ..positional import SinusoidalPositionalEncoding

__all__ = ["EncoderLayer", "DecoderLayer", "Transformer", "Seq2SeqTransformer", "CausalLanguageModel",
           "KVCache", "padding_mask"]

_ACTIVATIONS = {"relu": torch.relu, "gelu": nn.functional.gelu}


def padding_mask(lengths: torch.Tensor, n: int) -> torch.Tensor:
    """``(batch, n)`` bool, ``True`` at the first ``lengths[b]`` positions (real tokens), ``False``
    at padding. As a key mask for attention: ``padding_mask(lengths, n)[:, None, :]``."""
    if not torch.is_tensor(lengths) or lengths.dim() != 1 or lengths.is_floating_point():
        raise ValueError(f"lengths must be an integer tensor of shape (batch,), got {shape_of(lengths)}")
    require_positive_int("n", n)
    return torch.arange(n, device=lengths.device)[None, :] < lengths[:, None]


def _check_vectors(name: str, x, d_model: int, n_name: str = "n") -> None:
    require_tensor(name, x, f"(batch, {n_name}, d_model={d_model})", dim=3)
    if x.shape[-1] != d_model:
        raise ValueError(f"{name} has shape {shape_of(x)} but must have shape (batch, {n_name}, d_model={d_model})")


def _head_mask(name: str, mask, batch: int, heads: int, n_queries: int, n_keys: int):
    """A course mask broadcastable to (batch, n_q, n_k) or (batch, heads, n_q, n_k) -> 4-d view."""
    if mask is None:
        return None
    if not torch.is_tensor(mask) or mask.dtype != torch.bool:
        got = f"dtype {mask.dtype}" if torch.is_tensor(mask) else type(mask).__name__
        raise TypeError(f"{name} must be a bool tensor (True = may attend) broadcastable to "
                        f"(batch, n_queries, n_keys) = {(batch, n_queries, n_keys)}, got {got}")
    if mask.dim() <= 3:
        try:
            mask = check_mask(mask, torch.Size((batch, n_queries, n_keys)))
        except ValueError:
            raise ValueError(f"{name} has shape {shape_of(mask)} but must broadcast to (batch, n_queries, "
                             f"n_keys) = {(batch, n_queries, n_keys)}") from None
        return mask.unsqueeze(1)
    try:
        return check_mask(mask, torch.Size((batch, heads, n_queries, n_keys)))
    except ValueError:
        raise ValueError(f"{name} has shape {shape_of(mask)} but must broadcast to (batch, heads, n_queries, "
                         f"n_keys) = {(batch, heads, n_queries, n_keys)}") from None


def _split(attention: MultiHeadAttention, x: torch.Tensor) -> torch.Tensor:
    return attention._split_heads(x)  # (batch, n, d_model) -> (batch, heads, n, d_head)


def _attend(attention: MultiHeadAttention, query, keys, values, mask, head_mask=None):
    """Multi-head attention from a query (batch, n_q, d_model) and keys/values already projected
    and split, (batch, heads, n_k, d_head); mask 4-d or None; head_mask (heads,) of 1 (keep) / 0
    (remove a head's output before the output projection) or None. Returns output, weights."""
    q = _split(attention, attention.query_proj(query))
    scores = q @ keys.transpose(-2, -1) / math.sqrt(attention.d_head)
    weights = masked_softmax(scores, mask)
    heads = attention.attention_dropout(weights) @ values
    if head_mask is not None:
        if not torch.is_tensor(head_mask) or tuple(head_mask.shape) != (attention.num_heads,):
            raise ValueError(f"head_mask has shape {shape_of(head_mask)} but must have shape "
                             f"(heads={attention.num_heads},): 1 keeps a head, 0 removes it")
        heads = heads * head_mask.to(heads)[:, None, None]
    out = heads.transpose(1, 2).reshape(query.shape[0], query.shape[1], attention.d_model)
    return attention.out_proj(out), weights


def _keys_values(attention: MultiHeadAttention, x):
    return _split(attention, attention.key_proj(x)), _split(attention, attention.value_proj(x))


class _FeedForward(nn.Module):
    """Linear(d_model, d_ff) -> activation -> dropout -> Linear(d_ff, d_model), as PyTorch's layers."""

    def __init__(self, d_model, d_ff, dropout, activation, bias):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be 'relu' or 'gelu', got {activation!r}")
        self.activation = activation
        self.linear1 = nn.Linear(d_model, d_ff, bias=bias)
        self.linear2 = nn.Linear(d_ff, d_model, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.dropout(_ACTIVATIONS[self.activation](self.linear1(x))))


def _copy_linear(ours: nn.Linear, theirs: nn.Linear) -> None:
    ours.weight.copy_(theirs.weight)
    if ours.bias is not None:
        ours.bias.copy_(theirs.bias)


def _copy_norm(ours: nn.LayerNorm, theirs: nn.LayerNorm) -> None:
    ours.weight.copy_(theirs.weight)
    if ours.bias is not None and theirs.bias is not None:
        ours.bias.copy_(theirs.bias)


def _same_dropout(module) -> None:
    """Our layers use one dropout probability everywhere; refuse a PyTorch layer that does not."""
    probabilities = {m.p for m in module.modules() if isinstance(m, nn.Dropout)}
    probabilities |= {m.dropout for m in module.modules() if isinstance(m, nn.MultiheadAttention)}
    if len(probabilities) > 1:
        raise ValueError(f"the layer uses several dropout probabilities {sorted(probabilities)}; "
                         f"only a layer with one probability everywhere can be copied")


def _activation_name(module) -> str:
    act = module.activation
    if act is nn.functional.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is nn.functional.gelu or (isinstance(act, nn.GELU) and act.approximate == "none"):
        return "gelu"
    raise ValueError(f"only relu and (exact) gelu activations can be copied, got {act!r}")


class EncoderLayer(nn.Module):
    """One encoder layer: self-attention, then a position-wise feed-forward network, each with a
    residual connection and a LayerNorm, in the order ``norm_first`` chooses (module docstring).

    forward(x (batch, n, d_model), mask=None) -> (batch, n, d_model).
    attend(x, mask=None, head_mask=None) -> (output (batch, n, d_model), weights (batch, heads, n, n)).
    mask: bool, True = may attend, broadcastable to (batch, n, n) or (batch, heads, n, n);
    head_mask: optional (heads,), 0 removes a head's output (head ablation, chapter 7.5);
    a key-padding mask is (batch, 1, n) or (batch, 1, 1, n). With :func:`causal_mask` this is
    a decoder-only (GPT) block.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0,
                 activation: str = "relu", layer_norm_eps: float = 1e-5, norm_first: bool = True,
                 bias: bool = True):
        super().__init__()
        require_positive_int("d_ff", d_ff)
        self.d_model, self.num_heads, self.norm_first = d_model, num_heads, bool(norm_first)
        self.self_attention = MultiHeadAttention(d_model, num_heads, bias=bias, dropout=dropout)
        self.feed_forward = _FeedForward(d_model, d_ff, dropout, activation, bias)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)

    def _self_block(self, x, mask, head_mask=None):
        keys, values = _keys_values(self.self_attention, x)
        out, weights = _attend(self.self_attention, x, keys, values, mask, head_mask)
        return self.dropout1(out), weights

    def attend(self, x: torch.Tensor, mask: torch.Tensor | None = None, head_mask: torch.Tensor | None = None):
        _check_vectors("x", x, self.d_model)
        mask = _head_mask("mask", mask, x.shape[0], self.num_heads, x.shape[1], x.shape[1])
        if self.norm_first:
            attended, weights = self._self_block(self.norm1(x), mask, head_mask)
            x = x + attended
            x = x + self.dropout2(self.feed_forward(self.norm2(x)))
        else:
            attended, weights = self._self_block(x, mask, head_mask)
            x = self.norm1(x + attended)
            x = self.norm2(x + self.dropout2(self.feed_forward(x)))
        return x, weights

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.attend(x, mask)[0]

    @classmethod
    def from_torch(cls, module: nn.TransformerEncoderLayer) -> "EncoderLayer":
        """A copy of ``torch.nn.TransformerEncoderLayer(batch_first=True)`` with the same weights."""
        if not isinstance(module, nn.TransformerEncoderLayer):
            raise TypeError(f"module must be a torch.nn.TransformerEncoderLayer, got {type(module).__name__}")
        attention = MultiHeadAttention.from_torch(module.self_attn)
        bias = module.linear1.bias is not None
        _same_dropout(module)
        ours = cls(module.self_attn.embed_dim, module.self_attn.num_heads, module.linear1.out_features,
                   dropout=module.dropout.p, activation=_activation_name(module),
                   layer_norm_eps=module.norm1.eps, norm_first=module.norm_first,
                   bias=bias).to(module.linear1.weight)
        ours.self_attention = attention
        with torch.no_grad():
            _copy_linear(ours.feed_forward.linear1, module.linear1)
            _copy_linear(ours.feed_forward.linear2, module.linear2)
            _copy_norm(ours.norm1, module.norm1)
            _copy_norm(ours.norm2, module.norm2)
        return ours


class KVCache:
    """The keys and values a decoder has already computed, kept between decoding steps.

    ``self_keys[l]``, ``self_values[l]``: (batch, heads, t, d_head) for layer l, one row per
    position decoded so far; ``cross_keys[l]``, ``cross_values[l]``: the memory's keys and values
    for layer l's cross-attention, (batch, heads, n_source, d_head), computed once.
    """

    def __init__(self, n_layers: int):
        self.self_keys = [None] * n_layers
        self.self_values = [None] * n_layers
        self.cross_keys = [None] * n_layers
        self.cross_values = [None] * n_layers

    def select(self, rows: torch.Tensor) -> "KVCache":
        """A cache holding rows ``rows`` of this one's batch (beam search reorders its beams)."""
        chosen = KVCache(len(self.self_keys))
        for name in ("self_keys", "self_values", "cross_keys", "cross_values"):
            setattr(chosen, name, [None if t is None else t[rows] for t in getattr(self, name)])
        return chosen

    @property
    def length(self) -> int:
        """Positions cached so far."""
        return 0 if self.self_keys[0] is None else self.self_keys[0].shape[2]

    def self_nbytes(self) -> int:
        """Bytes of the self-attention cache: 2 (keys, values) × layers × batch × t × d_model × itemsize."""
        return sum(t.numel() * t.element_size() for t in self.self_keys + self.self_values if t is not None)

    def cross_nbytes(self) -> int:
        """Bytes of the cached cross-attention keys and values of the memory."""
        return sum(t.numel() * t.element_size() for t in self.cross_keys + self.cross_values if t is not None)


class DecoderLayer(nn.Module):
    """One decoder layer: masked self-attention, cross-attention to the encoder's output
    (``memory``), feed-forward; each with a residual connection and a LayerNorm (order: ``norm_first``).

    forward(x (batch, n_t, d_model), memory (batch, n_s, d_model), self_mask=None, memory_mask=None)
    -> (batch, n_t, d_model). self_mask: bool broadcastable to (batch, n_t, n_t), usually
    :func:`causal_mask` (n_t) (and a padding mask); memory_mask: broadcastable to (batch, n_t, n_s),
    e.g. the source's key-padding mask (batch, 1, n_s).
    attend(...) -> (output, {"self": (batch, heads, n_t, n_t), "cross": (batch, heads, n_t, n_s)}).
    step(x, memory, cache, layer, memory_mask=None): the same for new positions only, reusing the
    keys and values of earlier positions kept in ``cache`` (a :class:`KVCache`).
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0,
                 activation: str = "relu", layer_norm_eps: float = 1e-5, norm_first: bool = True,
                 bias: bool = True):
        super().__init__()
        require_positive_int("d_ff", d_ff)
        self.d_model, self.num_heads, self.norm_first = d_model, num_heads, bool(norm_first)
        self.self_attention = MultiHeadAttention(d_model, num_heads, bias=bias, dropout=dropout)
        self.cross_attention = MultiHeadAttention(d_model, num_heads, bias=bias, dropout=dropout)
        self.feed_forward = _FeedForward(d_model, d_ff, dropout, activation, bias)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1, self.dropout2, self.dropout3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def _layer(self, x, self_kv, cross_kv, self_mask, memory_mask):
        """The layer given functions that return the self and cross keys/values for its input."""
        def self_block(h):
            out, w = _attend(self.self_attention, h, *self_kv(h), self_mask)
            return self.dropout1(out), w

        def cross_block(h):
            out, w = _attend(self.cross_attention, h, *cross_kv(), memory_mask)
            return self.dropout2(out), w

        if self.norm_first:
            attended, self_weights = self_block(self.norm1(x))
            x = x + attended
            attended, cross_weights = cross_block(self.norm2(x))
            x = x + attended
            x = x + self.dropout3(self.feed_forward(self.norm3(x)))
        else:
            attended, self_weights = self_block(x)
            x = self.norm1(x + attended)
            attended, cross_weights = cross_block(x)
            x = self.norm2(x + attended)
            x = self.norm3(x + self.dropout3(self.feed_forward(x)))
        return x, {"self": self_weights, "cross": cross_weights}

    def _check(self, x, memory, self_mask, memory_mask):
        _check_vectors("x", x, self.d_model, "n_t")
        _check_vectors("memory", memory, self.d_model, "n_s")
        if memory.shape[0] != x.shape[0]:
            raise ValueError(f"x has shape {shape_of(x)} and memory has shape {shape_of(memory)}; "
                             f"they must share their first dimension (batch)")
        batch, heads = x.shape[0], self.num_heads
        return (_head_mask("self_mask", self_mask, batch, heads, x.shape[1], x.shape[1]),
                _head_mask("memory_mask", memory_mask, batch, heads, x.shape[1], memory.shape[1]))

    def attend(self, x, memory, self_mask=None, memory_mask=None):
        self_mask, memory_mask = self._check(x, memory, self_mask, memory_mask)
        return self._layer(x, lambda h: _keys_values(self.self_attention, h),
                           lambda: _keys_values(self.cross_attention, memory), self_mask, memory_mask)

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        return self.attend(x, memory, self_mask, memory_mask)[0]

    def step(self, x, memory, cache: KVCache, layer: int, memory_mask=None):
        """Decode the new positions ``x`` (batch, n_new, d_model) that follow the ``cache.length``
        positions already in ``cache``: their keys and values are appended to the cache, and each
        new position attends to every cached position and to the new ones up to itself.
        Returns (output (batch, n_new, d_model), weights dict as :meth:`attend`)."""
        _check_vectors("x", x, self.d_model, "n_new")
        _check_vectors("memory", memory, self.d_model, "n_s")
        past = 0 if cache.self_keys[layer] is None else cache.self_keys[layer].shape[2]
        n_new = x.shape[1]
        self_mask = None
        if n_new > 1:  # new positions must not see each other's future
            self_mask = causal_mask(past + n_new, device=x.device)[past:][None, None]
        memory_mask = _head_mask("memory_mask", memory_mask, x.shape[0], self.num_heads, n_new, memory.shape[1])

        def self_kv(h):
            keys, values = _keys_values(self.self_attention, h)
            if cache.self_keys[layer] is not None:
                keys = torch.cat([cache.self_keys[layer], keys], dim=2)
                values = torch.cat([cache.self_values[layer], values], dim=2)
            cache.self_keys[layer], cache.self_values[layer] = keys, values
            return keys, values

        def cross_kv():
            if cache.cross_keys[layer] is None:
                cache.cross_keys[layer], cache.cross_values[layer] = _keys_values(self.cross_attention, memory)
            return cache.cross_keys[layer], cache.cross_values[layer]

        return self._layer(x, self_kv, cross_kv, self_mask, memory_mask)

    @classmethod
    def from_torch(cls, module: nn.TransformerDecoderLayer) -> "DecoderLayer":
        """A copy of ``torch.nn.TransformerDecoderLayer(batch_first=True)`` with the same weights."""
        if not isinstance(module, nn.TransformerDecoderLayer):
            raise TypeError(f"module must be a torch.nn.TransformerDecoderLayer, got {type(module).__name__}")
        bias = module.linear1.bias is not None
        _same_dropout(module)
        ours = cls(module.self_attn.embed_dim, module.self_attn.num_heads, module.linear1.out_features,
                   dropout=module.dropout.p, activation=_activation_name(module),
                   layer_norm_eps=module.norm1.eps, norm_first=module.norm_first,
                   bias=bias).to(module.linear1.weight)
        ours.self_attention = MultiHeadAttention.from_torch(module.self_attn)
        ours.cross_attention = MultiHeadAttention.from_torch(module.multihead_attn)
        with torch.no_grad():
            _copy_linear(ours.feed_forward.linear1, module.linear1)
            _copy_linear(ours.feed_forward.linear2, module.linear2)
            for name in ("norm1", "norm2", "norm3"):
                _copy_norm(getattr(ours, name), getattr(module, name))
        return ours


class Transformer(nn.Module):
    """The encoder–decoder of Vaswani et al. (2017), on vectors, batch first, like ``nn.Transformer``:
    a stack of :class:`EncoderLayer` then a final LayerNorm (the memory), and a stack of
    :class:`DecoderLayer` then a final LayerNorm. (PyTorch keeps both final norms for post-LN too.)

    forward(source (batch, n_s, d_model), target (batch, n_t, d_model), source_mask=None,
    target_mask=None, memory_mask=None) -> (batch, n_t, d_model). Masks as in the module docstring:
    source_mask broadcastable to (batch, n_s, n_s), target_mask to (batch, n_t, n_t) (the causal
    mask, and padding), memory_mask to (batch, n_t, n_s). None of them is added for you.
    attend(...) -> (output, {"encoder": (layers, batch, heads, n_s, n_s), "self": (layers, batch,
    heads, n_t, n_t), "cross": (layers, batch, heads, n_t, n_s)}), computed afresh.
    """

    def __init__(self, d_model: int = 512, num_heads: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, d_ff: int = 2048, dropout: float = 0.0,
                 activation: str = "relu", layer_norm_eps: float = 1e-5, norm_first: bool = True,
                 bias: bool = True):
        super().__init__()
        require_positive_int("num_encoder_layers", num_encoder_layers)
        require_positive_int("num_decoder_layers", num_decoder_layers)
        self.d_model, self.num_heads, self.norm_first = d_model, num_heads, bool(norm_first)
        options = dict(dropout=dropout, activation=activation, layer_norm_eps=layer_norm_eps,
                       norm_first=norm_first, bias=bias)
        self.encoder_layers = nn.ModuleList(EncoderLayer(d_model, num_heads, d_ff, **options)
                                            for _ in range(num_encoder_layers))
        self.decoder_layers = nn.ModuleList(DecoderLayer(d_model, num_heads, d_ff, **options)
                                            for _ in range(num_decoder_layers))
        self.encoder_norm = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.decoder_norm = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)

    def _encode(self, source, source_mask, keep_weights: bool):
        _check_vectors("source", source, self.d_model, "n_s")
        x, weights = source, []
        for layer in self.encoder_layers:
            x, w = layer.attend(x, source_mask)
            if keep_weights:
                weights.append(w)
        return self.encoder_norm(x), (torch.stack(weights) if keep_weights else None)

    def _decode(self, target, memory, target_mask, memory_mask, keep_weights: bool):
        _check_vectors("target", target, self.d_model, "n_t")
        x, self_weights, cross_weights = target, [], []
        for layer in self.decoder_layers:
            x, w = layer.attend(x, memory, target_mask, memory_mask)
            if keep_weights:
                self_weights.append(w["self"])
                cross_weights.append(w["cross"])
        if not keep_weights:
            return self.decoder_norm(x), None, None
        return self.decoder_norm(x), torch.stack(self_weights), torch.stack(cross_weights)

    def encode_attend(self, source, source_mask=None):
        """(memory (batch, n_s, d_model), encoder weights (layers, batch, heads, n_s, n_s))."""
        return self._encode(source, source_mask, keep_weights=True)

    def encode(self, source, source_mask=None):
        return self._encode(source, source_mask, keep_weights=False)[0]

    def decode_attend(self, target, memory, target_mask=None, memory_mask=None):
        return self._decode(target, memory, target_mask, memory_mask, keep_weights=True)

    def decode(self, target, memory, target_mask=None, memory_mask=None):
        return self._decode(target, memory, target_mask, memory_mask, keep_weights=False)[0]

    def decode_step(self, target, memory, cache: KVCache, memory_mask=None):
        """The decoder's output for the new positions ``target`` (batch, n_new, d_model) only,
        using and extending ``cache`` (a :class:`KVCache` made with ``self.new_cache()``)."""
        x = target
        for index, layer in enumerate(self.decoder_layers):
            x, _ = layer.step(x, memory, cache, index, memory_mask)
        return self.decoder_norm(x)

    def new_cache(self) -> KVCache:
        return KVCache(len(self.decoder_layers))

    def attend(self, source, target, source_mask=None, target_mask=None, memory_mask=None):
        memory, encoder_weights = self.encode_attend(source, source_mask)
        output, self_weights, cross_weights = self.decode_attend(target, memory, target_mask, memory_mask)
        return output, {"encoder": encoder_weights, "self": self_weights, "cross": cross_weights}

    def forward(self, source, target, source_mask=None, target_mask=None, memory_mask=None):
        memory = self.encode(source, source_mask)
        return self.decode(target, memory, target_mask, memory_mask)

    @classmethod
    def from_torch(cls, module: nn.Transformer) -> "Transformer":
        """A copy of ``torch.nn.Transformer(batch_first=True)`` with the same weights."""
        if not isinstance(module, nn.Transformer):
            raise TypeError(f"module must be a torch.nn.Transformer, got {type(module).__name__}")
        if not module.batch_first:
            raise ValueError("module must be built with batch_first=True")
        first = module.encoder.layers[0]
        ours = cls(module.d_model, module.nhead, len(module.encoder.layers), len(module.decoder.layers),
                   first.linear1.out_features, dropout=first.dropout.p, activation=_activation_name(first),
                   layer_norm_eps=first.norm1.eps, norm_first=first.norm_first,
                   bias=first.linear1.bias is not None).to(first.linear1.weight)
        ours.encoder_layers = nn.ModuleList(EncoderLayer.from_torch(m) for m in module.encoder.layers)
        ours.decoder_layers = nn.ModuleList(DecoderLayer.from_torch(m) for m in module.decoder.layers)
        with torch.no_grad():
            _copy_norm(ours.encoder_norm, module.encoder.norm)
            _copy_norm(ours.decoder_norm, module.decoder.norm)
        return ours


class _TokenEmbedding(nn.Module):
    """nn.Embedding times ``sqrt(d_model)`` if ``scale``, plus sinusoidal positions. The embedding
    starts as nn.Embedding's N(0, 1), or N(0, embedding_std²) when ``embedding_std`` is given."""

    def __init__(self, vocab_size, d_model, max_positions, scale, embedding_std=None, dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.dropout = nn.Dropout(dropout)
        if embedding_std is not None:
            nn.init.normal_(self.embedding.weight, std=embedding_std)
        self.scale = math.sqrt(d_model) if scale else 1.0
        self.positions = SinusoidalPositionalEncoding(max_positions, d_model)

    def forward(self, tokens, offset: int = 0):
        x = self.embedding(tokens) * self.scale
        n = tokens.shape[1]
        if offset + n > self.positions.max_positions:
            raise ValueError(f"positions {offset}..{offset + n - 1} exceed max_positions="
                             f"{self.positions.max_positions}; build the model with a larger max_positions")
        return self.dropout(x + self.positions.encoding[offset:offset + n].to(x.dtype))


class Seq2SeqTransformer(nn.Module):
    """Tokens in, next-token logits out: embeddings (times √d_model if ``scale_embedding``) plus
    sinusoidal positions -> :class:`Transformer` -> linear output projection, optionally sharing
    its weight with the target embedding (``tie_embeddings``, Press & Wolf 2017). The embeddings
    start as nn.Embedding's N(0, 1) unless ``embedding_std`` is given (the paper's code uses
    d_model ** -0.5, so that the scaled embedding has entries of size 1, like the positions).

    forward(source (batch, n_s) long, target (batch, n_t) long, source_mask=None) -> logits
    (batch, n_t, target_vocab). source_mask: (batch, n_s) bool, True = a real token; it masks the
    source's padding for the encoder and the cross-attention. The causal mask is added to the
    target's self-attention (teacher forcing: target holds the shifted-right output).
    attend(...) -> (logits, weights dict of :meth:`Transformer.attend`).
    greedy(source, bos, steps, source_mask=None, use_cache=True) -> (batch, steps) tokens.
    """

    def __init__(self, source_vocab: int, target_vocab: int, d_model: int = 64, num_heads: int = 4,
                 num_encoder_layers: int = 2, num_decoder_layers: int = 2, d_ff: int = 128,
                 dropout: float = 0.0, norm_first: bool = True, max_positions: int = 256,
                 scale_embedding: bool = True, tie_embeddings: bool = False, activation: str = "relu",
                 embedding_std: float | None = None):
        super().__init__()
        self.source_embedding = _TokenEmbedding(source_vocab, d_model, max_positions, scale_embedding,
                                                embedding_std, dropout)
        self.target_embedding = _TokenEmbedding(target_vocab, d_model, max_positions, scale_embedding,
                                                embedding_std, dropout)
        self.transformer = Transformer(d_model, num_heads, num_encoder_layers, num_decoder_layers, d_ff,
                                       dropout=dropout, activation=activation, norm_first=norm_first)
        self.output = nn.Linear(d_model, target_vocab, bias=False)
        if tie_embeddings:
            self.output.weight = self.target_embedding.embedding.weight
        self.d_model, self.max_positions = d_model, max_positions

    def _masks(self, source, target, source_mask):
        require_tokens("source", source, "(batch, n_s)")
        require_tokens("target", target, "(batch, n_t)")
        if source.shape[0] != target.shape[0]:
            raise ValueError(f"source has shape {shape_of(source)} and target {shape_of(target)}; "
                             f"they must share their first dimension (batch)")
        key_mask = None
        if source_mask is not None:
            key_mask = require_mask("source_mask", source_mask, source.shape, "(batch, n_s)")[:, None, :]
        return key_mask, causal_mask(target.shape[1], device=target.device)

    def encode(self, source, source_mask=None):
        """memory (batch, n_s, d_model)."""
        require_tokens("source", source, "(batch, n_s)")
        key_mask = None if source_mask is None else source_mask[:, None, :]
        return self.transformer.encode(self.source_embedding(source), key_mask)

    def attend(self, source, target, source_mask=None):
        key_mask, causal = self._masks(source, target, source_mask)
        output, weights = self.transformer.attend(self.source_embedding(source), self.target_embedding(target),
                                                  key_mask, causal, key_mask)
        return self.output(output), weights

    def forward(self, source, target, source_mask=None):
        key_mask, causal = self._masks(source, target, source_mask)
        return self.output(self.transformer(self.source_embedding(source),
                                            self.target_embedding(target), key_mask, causal, key_mask))

    def step_logits(self, memory, tokens, cache: KVCache, source_mask=None):
        """Logits (batch, n_new, vocab) for the new target ``tokens`` (batch, n_new) that follow
        the ``cache.length`` tokens already decoded, reusing and extending ``cache``."""
        require_tokens("tokens", tokens, "(batch, n_new)")
        key_mask = None if source_mask is None else source_mask[:, None, :]
        x = self.target_embedding(tokens, offset=cache.length)
        return self.output(self.transformer.decode_step(x, memory, cache, key_mask))

    def incremental_logits(self, source, target, source_mask=None):
        """The logits of :meth:`forward`, computed one target position at a time with a KV cache.
        Returns (logits (batch, n_t, vocab), the final :class:`KVCache`)."""
        self._masks(source, target, source_mask)
        memory = self.encode(source, source_mask)
        cache = self.transformer.new_cache()
        logits = [self.step_logits(memory, target[:, t:t + 1], cache, source_mask) for t in range(target.shape[1])]
        return torch.cat(logits, dim=1), cache

    @torch.no_grad()
    def greedy(self, source, bos: int, steps: int, source_mask=None, use_cache: bool = True):
        """Greedy decoding: start from ``bos`` and append the most likely token ``steps`` times.
        With ``use_cache`` each step runs the decoder on the newest token only (KV cache); without,
        it reruns the decoder on the whole prefix. Returns the (batch, steps) tokens chosen."""
        require_tokens("source", source, "(batch, n_s)")
        require_positive_int("steps", steps)
        memory = self.encode(source, source_mask)
        tokens = torch.full((source.shape[0], 1), bos, dtype=torch.long, device=source.device)
        cache = self.transformer.new_cache()
        key_mask = None if source_mask is None else source_mask[:, None, :]
        for _ in range(steps):
            if use_cache:
                logits = self.step_logits(memory, tokens[:, -1:], cache, source_mask)[:, -1]
            else:
                x = self.target_embedding(tokens)
                out = self.transformer.decode(x, memory, causal_mask(tokens.shape[1], device=source.device), key_mask)
                logits = self.output(out[:, -1])
            tokens = torch.cat([tokens, logits.argmax(-1, keepdim=True)], dim=1)
        return tokens[:, 1:]


class CausalLanguageModel(nn.Module):
    """A decoder-only (GPT-style) next-token model: embedding (× √d_model if ``scale_embedding``)
    plus sinusoidal positions -> :class:`EncoderLayer` s with the causal mask -> (final LayerNorm
    when pre-LN) -> output projection (tied to the embedding if ``tie_embeddings``).
    ``causal=False`` removes the causal mask: every position sees the whole sequence, the future
    included (the leak of chapter 7, "Masks that do not leak").

    forward(tokens (batch, n) long) -> logits (batch, n, vocab);
    attend(tokens) -> (logits, weights (layers, batch, heads, n, n)).
    """

    def __init__(self, vocab_size: int, d_model: int = 64, num_heads: int = 4, num_layers: int = 2,
                 d_ff: int = 128, dropout: float = 0.0, norm_first: bool = True, max_positions: int = 256,
                 causal: bool = True, scale_embedding: bool = True, tie_embeddings: bool = False,
                 embedding_std: float | None = None):
        super().__init__()
        require_positive_int("num_layers", num_layers)
        self.embedding = _TokenEmbedding(vocab_size, d_model, max_positions, scale_embedding, embedding_std,
                                         dropout)
        self.layers = nn.ModuleList(EncoderLayer(d_model, num_heads, d_ff, dropout=dropout, norm_first=norm_first)
                                    for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.output = nn.Linear(d_model, vocab_size, bias=False)
        if tie_embeddings:
            self.output.weight = self.embedding.embedding.weight
        self.causal, self.max_positions = bool(causal), max_positions

    def _run(self, tokens, keep_weights: bool):
        require_tokens("tokens", tokens, "(batch, n)")
        if tokens.shape[1] > self.max_positions:
            raise ValueError(f"tokens has {tokens.shape[1]} positions but the model was built for at most "
                             f"max_positions={self.max_positions}")
        mask = causal_mask(tokens.shape[1], device=tokens.device) if self.causal else None
        x, weights = self.embedding(tokens), []
        for layer in self.layers:
            x, w = layer.attend(x, mask)
            if keep_weights:
                weights.append(w)
        return self.output(self.norm(x)), (torch.stack(weights) if keep_weights else None)

    def attend(self, tokens):
        return self._run(tokens, keep_weights=True)

    def forward(self, tokens):
        return self._run(tokens, keep_weights=False)[0]

    @torch.no_grad()
    def generate(self, prompt, steps: int, context: int | None = None):
        """Greedy free-running generation: append the most likely next token ``steps`` times, each
        time reading the last ``context`` tokens (default ``max_positions``).
        prompt (batch, n) long -> (batch, steps) new tokens."""
        require_tokens("prompt", prompt, "(batch, n)")
        require_positive_int("steps", steps)
        context = require_positive_int("context", context or self.max_positions)
        tokens = prompt
        for _ in range(steps):
            window = tokens[:, -context:]
            next_token = self(window)[:, -1].argmax(-1, keepdim=True)
            tokens = torch.cat([tokens, next_token], dim=1)
        return tokens[:, prompt.shape[1]:]
