"""The Transformer on padded token data, decoded like the recurrent encoder–decoder (chapter 7,
"Training a Transformer on a real task").

:class:`PaddedSeq2SeqTransformer` is :class:`attnlab.models.encoder_decoder.Seq2SeqTransformer`,
wrapped, for data padded with id 0 (as :mod:`attnlab.data.g2p` makes it): ``forward(source, target_in)``
masks the source's padding itself (``source_mask = source != 0``), so it trains with the same
loop as chapter 6's :class:`attnlab.models.seq2seq.Seq2Seq` (:func:`attnlab.models.seq2seq.fit_seq2seq`).
It also offers that model's decoding interface, ``encode`` / ``initial_state`` / ``step``, so the
same :func:`attnlab.decoding.greedy_decode` decodes both; the decoder state is a
:class:`attnlab.models.encoder_decoder.KVCache`.

:func:`layer_steps` counts, with forward hooks, the steps a forward pass must take one after
another: the recurrent model's encoder and decoder steps, or the Transformer's layer applications.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..checks import require_tokens
from .encoder_decoder import KVCache, Seq2SeqTransformer
from .seq2seq import Seq2Seq

__all__ = ["PaddedSeq2SeqTransformer", "TransformerMemory", "layer_steps"]


class TransformerMemory(NamedTuple):
    """states: (batch, n_source, d_model) the encoder's output; mask: (batch, n_source), True = a real token."""
    states: torch.Tensor
    mask: torch.Tensor


class PaddedSeq2SeqTransformer(nn.Module):
    """A :class:`Seq2SeqTransformer` (``self.model``, built with the same arguments) whose source
    padding (id 0) is masked without being asked, with chapter 6's decoding interface.

    forward(source (batch, n_source), target_in (batch, n_target)) -> logits (batch, n_target, vocab);
    attend(source, target_in) -> (logits, {"encoder": (layers, batch, heads, n_s, n_s), "self":
    (layers, batch, heads, n_t, n_t), "cross": (layers, batch, heads, n_t, n_s)}).
    encode(source) -> :class:`TransformerMemory`; initial_state(memory) -> an empty KVCache;
    step(memory, cache, previous (batch,)) -> (logits (batch, vocab), None, cache).
    """

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.model = Seq2SeqTransformer(*args, **kwargs)

    def attend(self, source, target_in):
        require_tokens("source", source, "(batch, n_source)")
        return self.model.attend(source, target_in, source != 0)

    def forward(self, source, target_in):
        return self.attend(source, target_in)[0]

    def encode(self, source) -> TransformerMemory:
        require_tokens("source", source, "(batch, n_source)")
        mask = source != 0
        return TransformerMemory(self.model.encode(source, mask), mask)

    def initial_state(self, memory: TransformerMemory) -> KVCache:
        return self.model.transformer.new_cache()

    def step(self, memory: TransformerMemory, cache: KVCache, previous: torch.Tensor):
        """One decoder step with the KV cache: previous (batch,) -> (logits (batch, vocab), None, cache)."""
        logits = self.model.step_logits(memory.states, previous[:, None], cache, memory.mask)[:, 0]
        return logits, None, cache


def layer_steps(model: nn.Module, source: torch.Tensor, target_in: torch.Tensor) -> dict:
    """Run ``model(source, target_in)`` once (teacher forcing) and count the steps that must run
    one after another: {"encoder": ..., "decoder": ...}.

    - :class:`Seq2Seq` with Bahdanau attention: the encoder's GRUs take one step per source
      position (the two directions run side by side, so n_source steps); the decoder takes one
      step per target position (each needs the previous state; counted as the calls of the
      attention's query projection, one per step).
    - A :class:`Seq2SeqTransformer`: the number of layer applications of the encoder and of the
      decoder (counted as the calls of each layer's self-attention query projection); every
      position of a layer is computed at once.

    Chapter 8's :func:`attnlab.complexity.sequential_steps` measures the same property for any
    code, as the longest chain of dependent matrix products.
    """
    require_tokens("source", source, "(batch, n_source)")
    require_tokens("target_in", target_in, "(batch, n_target)")
    counts, handles = {"encoder": 0, "decoder": 0}, []

    def add(part, amount):
        def hook(module, inputs, output):
            counts[part] = max(counts[part], amount(inputs)) if part == "encoder" and isinstance(module, nn.GRU) \
                else counts[part] + amount(inputs)
        return hook

    if isinstance(model, Seq2Seq):
        if model.attention != "bahdanau":
            raise ValueError(f"layer_steps counts Seq2Seq with attention='bahdanau', got {model.attention!r}")
        for rnn in (model.forward_rnn, model.backward_rnn):
            handles.append(rnn.register_forward_hook(add("encoder", lambda inputs: inputs[0].shape[1])))
        handles.append(model.score.query_proj.register_forward_hook(add("decoder", lambda inputs: 1)))
    elif isinstance(model, (Seq2SeqTransformer, PaddedSeq2SeqTransformer)):
        inner = model.model if isinstance(model, PaddedSeq2SeqTransformer) else model
        for part, layers in (("encoder", inner.transformer.encoder_layers),
                             ("decoder", inner.transformer.decoder_layers)):
            for layer in layers:
                handles.append(layer.self_attention.query_proj.register_forward_hook(add(part, lambda inputs: 1)))
    else:
        raise TypeError(f"model must be a Seq2Seq or a Seq2SeqTransformer, got {type(model).__name__}")
    try:
        with torch.no_grad():
            model(source, target_in)
    finally:
        for handle in handles:
            handle.remove()
    return counts
