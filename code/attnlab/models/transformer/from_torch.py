"""Copies of PyTorch's own Transformer modules (chapter 7, "The model, piece by piece"):
``from_torch(module)`` returns the course's equivalent, with the same weights, so that every
layer built from scratch can be checked against PyTorch's (``batch_first=True``).

    nn.MultiheadAttention      -> attnlab.attention.MultiHeadAttention
    nn.TransformerEncoderLayer -> EncoderLayer
    nn.TransformerDecoderLayer -> DecoderLayer
    nn.Transformer             -> Transformer (with the final LayerNorms PyTorch always has)

PyTorch writes masks the other way round: a bool ``attn_mask`` / ``tgt_mask`` is True where
attending is NOT allowed, and ``key_padding_mask`` is True at padding. So::

    ours = ~torch_bool_mask                    # attn_mask, tgt_mask, memory_mask
    ours = ~key_padding_mask[:, None, :]       # src/tgt/memory_key_padding_mask
    ours = causal_mask(n)                      # tgt_mask = nn.Transformer.generate_square_subsequent_mask(n)

One difference remains: a query with no key to attend to gets zero weights here, NaN in PyTorch.
"""

from __future__ import annotations

import torch
from torch import nn

from ...attention import MultiHeadAttention
from .config import TransformerConfig
from .layers import DecoderLayer, EncoderLayer
from .models import Transformer

__all__ = ["from_torch"]


def from_torch(module: nn.Module) -> nn.Module:
    """The course's copy of a PyTorch attention module or Transformer (see the module docstring)."""
    copiers = {nn.MultiheadAttention: _attention, nn.TransformerEncoderLayer: _encoder_layer,
               nn.TransformerDecoderLayer: _decoder_layer, nn.Transformer: _transformer}
    for kind, copy in copiers.items():
        if isinstance(module, kind):
            with torch.no_grad():
                return copy(module)
    raise TypeError(f"module must be one of {', '.join(k.__name__ for k in copiers)}, "
                    f"got {type(module).__name__}")


def _attention(module: nn.MultiheadAttention) -> MultiHeadAttention:
    if not module._qkv_same_embed_dim or module.bias_k is not None or module.add_zero_attn:
        raise ValueError("only modules with kdim == vdim == embed_dim, no bias_k/bias_v and "
                         "add_zero_attn=False can be copied")
    if not module.batch_first:
        raise ValueError("module must be built with batch_first=True")
    bias = module.in_proj_bias is not None
    ours = MultiHeadAttention(module.embed_dim, module.num_heads, bias=bias,
                              dropout=module.dropout).to(module.in_proj_weight)
    d = module.embed_dim
    for i, proj in enumerate((ours.query_proj, ours.key_proj, ours.value_proj)):
        proj.weight.copy_(module.in_proj_weight[i * d:(i + 1) * d])
        if bias:
            proj.bias.copy_(module.in_proj_bias[i * d:(i + 1) * d])
    _copy(ours.out_proj, module.out_proj)
    return ours


def _copy(ours: nn.Module, theirs: nn.Module) -> None:
    """Copy a Linear's or a LayerNorm's weight and bias (a missing bias stays missing)."""
    ours.weight.copy_(theirs.weight)
    if getattr(ours, "bias", None) is not None and getattr(theirs, "bias", None) is not None:
        ours.bias.copy_(theirs.bias)


def _activation(module) -> str:
    act = module.activation
    if act is nn.functional.relu or isinstance(act, nn.ReLU):
        return "relu"
    if act is nn.functional.gelu or (isinstance(act, nn.GELU) and act.approximate == "none"):
        return "gelu"
    raise ValueError(f"only relu and (exact) gelu activations can be copied, got {act!r}")


def _config(layer, **extra) -> TransformerConfig:
    """The configuration of a PyTorch encoder or decoder layer, which must use one dropout
    probability everywhere (ours do)."""
    probabilities = {m.p for m in layer.modules() if isinstance(m, nn.Dropout)}
    probabilities |= {m.dropout for m in layer.modules() if isinstance(m, nn.MultiheadAttention)}
    if len(probabilities) > 1:
        raise ValueError(f"the layer uses several dropout probabilities {sorted(probabilities)}; "
                         f"only a layer with one probability everywhere can be copied")
    attention = layer.self_attn
    return TransformerConfig(d_model=attention.embed_dim, num_heads=attention.num_heads,
                             d_ff=layer.linear1.out_features, dropout=probabilities.pop(),
                             activation=_activation(layer), norm_first=layer.norm_first,
                             layer_norm_eps=layer.norm1.eps, bias=layer.linear1.bias is not None, **extra)


def _feed_forward(ours, theirs) -> None:
    _copy(ours.feed_forward.linear1, theirs.linear1)
    _copy(ours.feed_forward.linear2, theirs.linear2)


def _encoder_layer(module: nn.TransformerEncoderLayer, config: TransformerConfig | None = None) -> EncoderLayer:
    ours = EncoderLayer(config or _config(module)).to(module.linear1.weight)
    ours.self_attention = _attention(module.self_attn)
    _feed_forward(ours, module)
    _copy(ours.attention_block.norm, module.norm1)
    _copy(ours.feed_forward_block.norm, module.norm2)
    return ours


def _decoder_layer(module: nn.TransformerDecoderLayer, config: TransformerConfig | None = None) -> DecoderLayer:
    ours = DecoderLayer(config or _config(module)).to(module.linear1.weight)
    ours.self_attention = _attention(module.self_attn)
    ours.cross_attention = _attention(module.multihead_attn)
    _feed_forward(ours, module)
    for block, norm in (("self_attention_block", "norm1"), ("cross_attention_block", "norm2"),
                        ("feed_forward_block", "norm3")):
        _copy(getattr(ours, block).norm, getattr(module, norm))
    return ours


def _transformer(module: nn.Transformer) -> Transformer:
    if not module.batch_first:
        raise ValueError("module must be built with batch_first=True")
    config = _config(module.encoder.layers[0], n_layers=len(module.encoder.layers),
                     n_decoder_layers=len(module.decoder.layers), final_norm=True)
    ours = Transformer(config).to(module.encoder.layers[0].linear1.weight)
    ours.encoder.layers = nn.ModuleList(_encoder_layer(m, config) for m in module.encoder.layers)
    ours.decoder.layers = nn.ModuleList(_decoder_layer(m, config) for m in module.decoder.layers)
    _copy(ours.encoder.norm, module.encoder.norm)
    _copy(ours.decoder.norm, module.decoder.norm)
    return ours
