"""Stacks of layers (chapter 7): the encoder, the decoder, and the KV cache of step-by-step
decoding. A stack ends with a LayerNorm when ``config.has_final_norm`` (pre-LN by default).

- ``Encoder(config)``: ``attend(x, mask=None, *, cache=None, head_mask=None) -> (x, weights
  (layers, batch, heads, n, n_keys))``; ``forward`` returns x. A causal mask makes it a
  decoder-only model's stack; ``cache`` (a :class:`KVCache`) decodes it step by step.
- ``Decoder(config)``: ``attend(x, memory, self_mask=None, memory_mask=None, *, cache=None)
  -> (x, {"self": (layers, batch, heads, n, n_keys), "cross": (layers, batch, heads, n, n_source)})``.

Weights are gathered only by ``attend``; ``forward`` keeps none (a training step has no use for
them).
"""

from __future__ import annotations

import torch
from torch import nn

from ...attention import AttentionCache
from ...checks import require_shape, require_tensor
from .config import TransformerConfig
from .layers import DecoderLayer, EncoderLayer

__all__ = ["Encoder", "Decoder", "KVCache"]


class KVCache:
    """The keys and values a stack has computed, kept between decoding steps: one growing
    self-attention :class:`AttentionCache` per layer (``self_caches``) and, for a decoder, one
    static cross-attention cache per layer (``cross_caches``) that holds the memory's keys and
    values, computed at the first step."""

    def __init__(self, n_layers: int, cross: bool = False):
        self.self_caches = [AttentionCache() for _ in range(n_layers)]
        self.cross_caches = [AttentionCache(static=True) for _ in range(n_layers)] if cross else []

    @property
    def length(self) -> int:
        """Positions decoded so far."""
        return self.self_caches[0].length

    def self_nbytes(self) -> int:
        """Bytes of the self-attention keys and values: 2 x layers x batch x t x d_model x item size."""
        return sum(c.nbytes() for c in self.self_caches)

    def cross_nbytes(self) -> int:
        """Bytes of the memory's keys and values, computed once."""
        return sum(c.nbytes() for c in self.cross_caches)

    def select(self, rows: torch.Tensor) -> "KVCache":
        """A cache holding rows ``rows`` of this one's batch (beam search reorders its beams)."""
        chosen = KVCache(0)
        chosen.self_caches = [c.select(rows) for c in self.self_caches]
        chosen.cross_caches = [c.select(rows) for c in self.cross_caches]
        return chosen


def _final_norm(config: TransformerConfig) -> nn.Module:
    if not config.has_final_norm:
        return nn.Identity()
    return nn.LayerNorm(config.d_model, eps=config.layer_norm_eps, bias=config.bias)


def _check_head_mask(head_mask, n_layers: int, num_heads: int):
    if head_mask is not None:
        expected = f"(layers={n_layers}, heads={num_heads}); 1 keeps a head, 0 removes it"
        require_tensor("head_mask", head_mask, expected, dim=2)
        require_shape("head_mask", head_mask, (n_layers, num_heads), expected)


class _Stack(nn.Module):
    """``n_layers`` layers of ``layer``, then the final LayerNorm (pre-LN); ``new_cache()`` gives
    an empty :class:`KVCache` for them, with cross-attention caches when ``cross``."""

    def __init__(self, config: TransformerConfig, layer: type[nn.Module], n_layers: int, cross: bool):
        super().__init__()
        self.config, self._cross = config, cross
        self.layers = nn.ModuleList(layer(config) for _ in range(n_layers))
        self.norm = _final_norm(config)

    def new_cache(self) -> KVCache:
        return KVCache(len(self.layers), cross=self._cross)


class Encoder(_Stack):
    """``config.n_layers`` :class:`EncoderLayer` s, then the final LayerNorm (pre-LN)."""

    def __init__(self, config: TransformerConfig):
        super().__init__(config, EncoderLayer, config.n_layers, cross=False)

    def _run(self, x, mask, cache, head_mask, keep_weights):
        _check_head_mask(head_mask, len(self.layers), self.config.num_heads)
        weights = []
        for index, layer in enumerate(self.layers):
            x, w = layer.attend(x, mask, cache=None if cache is None else cache.self_caches[index],
                                head_mask=None if head_mask is None else head_mask[index])
            if keep_weights:
                weights.append(w)
        return self.norm(x), (torch.stack(weights) if keep_weights else None)

    def attend(self, x: torch.Tensor, mask: torch.Tensor | None = None, *, cache: KVCache | None = None,
               head_mask: torch.Tensor | None = None):
        return self._run(x, mask, cache, head_mask, keep_weights=True)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, *,
                cache: KVCache | None = None) -> torch.Tensor:
        return self._run(x, mask, cache, None, keep_weights=False)[0]


class Decoder(_Stack):
    """``config.decoder_layers`` :class:`DecoderLayer` s, then the final LayerNorm (pre-LN)."""

    def __init__(self, config: TransformerConfig):
        super().__init__(config, DecoderLayer, config.decoder_layers, cross=True)

    def _run(self, x, memory, self_mask, memory_mask, cache, keep_weights):
        self_weights, cross_weights = [], []
        for index, layer in enumerate(self.layers):
            caches = {} if cache is None else dict(self_cache=cache.self_caches[index],
                                                   cross_cache=cache.cross_caches[index])
            x, w = layer.attend(x, memory, self_mask, memory_mask, **caches)
            if keep_weights:
                self_weights.append(w["self"])
                cross_weights.append(w["cross"])
        if not keep_weights:
            return self.norm(x), None
        return self.norm(x), {"self": torch.stack(self_weights), "cross": torch.stack(cross_weights)}

    def attend(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
               memory_mask: torch.Tensor | None = None, *, cache: KVCache | None = None):
        return self._run(x, memory, self_mask, memory_mask, cache, keep_weights=True)

    def forward(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
                memory_mask: torch.Tensor | None = None, *, cache: KVCache | None = None) -> torch.Tensor:
        return self._run(x, memory, self_mask, memory_mask, cache, keep_weights=False)[0]
