"""The Transformers of the course, each a thin head on the same stacks (chapters 2-4 and 7).

- :class:`TransformerClassifier`: tokens -> embedding -> encoder -> pooling -> linear.
  ``forward(tokens, mask=None) -> logits (batch, n_classes)``.
- :class:`CausalLanguageModel`: a decoder-only (GPT) model, an encoder stack under the causal
  mask. ``forward(tokens) -> logits (batch, n, vocab)``; ``generate`` samples from it.
- :class:`Seq2SeqTransformer`: the encoder-decoder on tokens, padding masked.
  ``forward(source, target_in) -> logits (batch, n_target, target_vocab)``, teacher-forced;
  ``encode`` / ``initial_state`` / ``step`` decode it with :mod:`attnlab.decoding`.
- :class:`Transformer`: the encoder-decoder on vectors, like ``torch.nn.Transformer`` (with its
  final LayerNorms), so that :func:`~attnlab.models.transformer.from_torch` can copy one.

Each model's ``attend(...)`` returns ``(output, weights)``: for the classifier and the language
model the weights are (layers, batch, heads, n, n); for the encoder-decoders a dict with
"encoder" (layers, batch, heads, n_source, n_source), "self" (layers, batch, heads, n_target,
n_target) and "cross" (layers, batch, heads, n_target, n_source).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ...attention import causal_mask
from ...checks import (require_mask, require_positive_int, require_same_batch, require_tokens,
                       require_vectors)
from .config import TransformerConfig
from .embedding import TokenEmbedding
from .stacks import Decoder, Encoder, KVCache

__all__ = ["TransformerClassifier", "CausalLanguageModel", "Seq2SeqTransformer", "TransformerMemory",
           "Transformer"]


def _require_vocab(config: TransformerConfig, name: str = "vocab_size") -> int:
    value = getattr(config, name) if name != "target_vocab_size" else config.target_vocab
    if value is None:
        raise ValueError(f"this model needs config.{name}, the number of token ids")
    return value


class TransformerClassifier(nn.Module):
    """Embedding -> :class:`Encoder` -> pooling (``config.pooling``: the mean of the real tokens'
    states, or the "first" state, as BERT reads its [CLS] token) -> linear layer.
    mask: (batch, n) bool, True = a real token (padding is neither attended nor pooled)."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.embedding = TokenEmbedding(_require_vocab(config), config)
        self.encoder = Encoder(config)
        self.classifier = nn.Linear(config.d_model, config.n_classes)

    def _states(self, tokens, mask, keep_weights):
        require_tokens("tokens", tokens, "(batch, n)")
        key_mask = None if mask is None else require_mask("mask", mask, tokens.shape, "(batch, n)")[:, None, :]
        x = self.embedding(tokens)
        return self.encoder.attend(x, key_mask) if keep_weights else (self.encoder(x, key_mask), None)

    def _pool(self, states, mask):
        if self.config.pooling == "first":
            return states[:, 0]
        if mask is None:
            return states.mean(dim=1)
        keep = mask.unsqueeze(-1).to(states.dtype)
        return (states * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)

    def attend(self, tokens: torch.Tensor, mask: torch.Tensor | None = None):
        states, weights = self._states(tokens, mask, keep_weights=True)
        return self.classifier(self._pool(states, mask)), weights

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        states, _ = self._states(tokens, mask, keep_weights=False)
        return self.classifier(self._pool(states, mask))


class CausalLanguageModel(nn.Module):
    """A decoder-only (GPT) next-token model: embedding -> :class:`Encoder` under the causal mask
    (``config.causal``) -> output projection (tied to the embedding if ``tie_embeddings``)."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        vocab = _require_vocab(config)
        self.embedding = TokenEmbedding(vocab, config)
        self.encoder = Encoder(config)
        self.output = nn.Linear(config.d_model, vocab, bias=False)
        if config.tie_embeddings:
            self.output.weight = self.embedding.embedding.weight

    def _run(self, tokens, cache, keep_weights):
        require_tokens("tokens", tokens, "(batch, n)")
        past = 0 if cache is None else cache.length
        mask = causal_mask(tokens.shape[1], tokens.device, past=past) if self.config.causal else None
        x = self.embedding(tokens, offset=past)
        if keep_weights:
            x, weights = self.encoder.attend(x, mask, cache=cache)
        else:
            x, weights = self.encoder(x, mask, cache=cache), None
        return self.output(x), weights

    def attend(self, tokens: torch.Tensor):
        return self._run(tokens, None, keep_weights=True)

    def forward(self, tokens: torch.Tensor, *, cache: KVCache | None = None) -> torch.Tensor:
        """tokens (batch, n) -> logits (batch, n, vocab). With a ``cache`` (``encoder.new_cache()``),
        tokens are the positions that follow those already cached."""
        return self._run(tokens, cache, keep_weights=False)[0]

    @torch.no_grad()
    def generate(self, prompt: torch.Tensor, steps: int, *, temperature: float = 0.0,
                 top_k: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Continue ``prompt`` (batch, n) by ``steps`` tokens, each drawn from the model's next-token
        distribution at ``temperature`` (0: the most likely token), among the ``top_k`` most
        likely if given, with a KV cache. Returns the new tokens (batch, steps). The model reads at
        most the last ``config.max_positions`` tokens. Without the causal mask (``config.causal``
        False) a position's keys depend on the tokens after it, so no cache is valid: every step
        reads its window afresh."""
        require_tokens("prompt", prompt, "(batch, n)")
        require_positive_int("steps", steps)
        if temperature < 0:
            raise ValueError(f"temperature must be 0 (greedy) or positive, got {temperature}")
        if top_k is not None:
            require_positive_int("top_k", top_k)
        window = self.config.max_positions
        cache, new = (self.encoder.new_cache() if self.config.causal else None), []
        logits = self(prompt[:, -window:], cache=cache)[:, -1]
        for _ in range(steps):
            if temperature == 0:
                token = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    cutoff = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < cutoff, float("-inf"))
                token = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)
            new.append(token)
            if not self.config.causal:
                logits = self(torch.cat([prompt, *new], dim=1)[:, -window:])[:, -1]
            elif cache.length < window:
                logits = self(token, cache=cache)[:, -1]
            else:  # the window is full: read its last positions afresh, as nanoGPT crops
                cache = self.encoder.new_cache()
                logits = self(torch.cat([prompt, *new], dim=1)[:, -window:], cache=cache)[:, -1]
        return torch.cat(new, dim=1)


class TransformerMemory(NamedTuple):
    """What the decoder reads: states (batch, n_source, d_model), the encoder's output; mask
    (batch, n_source) bool, True = a real token."""
    states: torch.Tensor
    mask: torch.Tensor | None


class Seq2SeqTransformer(nn.Module):
    """The encoder-decoder of Vaswani et al. (2017) on token ids: source and target embeddings,
    :class:`Encoder`, :class:`Decoder`, output projection (tied to the target embedding if
    ``tie_embeddings``). Source positions holding ``config.pad`` are masked for the encoder's
    self-attention and the decoder's cross-attention; the decoder's self-attention is causal.

    forward(source (batch, n_source), target_in (batch, n_target)) -> logits (batch, n_target,
    target_vocab), teacher-forced: target_in is the output shifted right behind <bos>.
    For decoding (:func:`attnlab.decoding.greedy_decode`, :func:`~attnlab.decoding.beam_search`):
    ``encode(source) -> TransformerMemory``, ``initial_state(memory) -> KVCache``,
    ``step(memory, cache, previous (batch,)) -> (logits (batch, vocab), None, cache)``.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.source_embedding = TokenEmbedding(_require_vocab(config), config)
        target_vocab = _require_vocab(config, "target_vocab_size")
        self.target_embedding = TokenEmbedding(target_vocab, config)
        self.encoder, self.decoder = Encoder(config), Decoder(config)
        self.output = nn.Linear(config.d_model, target_vocab, bias=False)
        if config.tie_embeddings:
            self.output.weight = self.target_embedding.embedding.weight

    def encode_attend(self, source: torch.Tensor):
        """(memory, encoder weights (layers, batch, heads, n_source, n_source))."""
        require_tokens("source", source, "(batch, n_source)")
        mask = None if self.config.pad is None else source != self.config.pad
        key_mask = None if mask is None else mask[:, None, :]
        states, weights = self.encoder.attend(self.source_embedding(source), key_mask)
        return TransformerMemory(states, mask), weights

    def encode(self, source: torch.Tensor) -> TransformerMemory:
        require_tokens("source", source, "(batch, n_source)")
        mask = None if self.config.pad is None else source != self.config.pad
        key_mask = None if mask is None else mask[:, None, :]
        return TransformerMemory(self.encoder(self.source_embedding(source), key_mask), mask)

    def _decode(self, memory: TransformerMemory, target_in, cache, keep_weights):
        require_tokens("target_in", target_in, "(batch, n_target)")
        require_same_batch(source=memory.states, target_in=target_in)
        past = 0 if cache is None else cache.length
        self_mask = causal_mask(target_in.shape[1], target_in.device, past=past)
        memory_mask = None if memory.mask is None else memory.mask[:, None, :]
        x = self.target_embedding(target_in, offset=past)
        if keep_weights:
            x, weights = self.decoder.attend(x, memory.states, self_mask, memory_mask, cache=cache)
        else:
            x, weights = self.decoder(x, memory.states, self_mask, memory_mask, cache=cache), None
        return self.output(x), weights

    def attend(self, source: torch.Tensor, target_in: torch.Tensor):
        memory, encoder_weights = self.encode_attend(source)
        logits, weights = self._decode(memory, target_in, None, keep_weights=True)
        return logits, {"encoder": encoder_weights, **weights}

    def forward(self, source: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        return self._decode(self.encode(source), target_in, None, keep_weights=False)[0]

    def initial_state(self, memory: TransformerMemory) -> KVCache:
        return self.decoder.new_cache()

    def step_logits(self, memory: TransformerMemory, target_in: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """Logits (batch, n_new, vocab) of the new target tokens (batch, n_new) that follow the
        ``cache.length`` tokens already decoded, reusing and extending ``cache``."""
        return self._decode(memory, target_in, cache, keep_weights=False)[0]

    def step(self, memory: TransformerMemory, cache: KVCache, previous: torch.Tensor):
        """One decoder step with the KV cache: previous (batch,) -> (logits (batch, vocab), None, cache)."""
        require_tokens("previous", previous, "(batch,)")
        return self.step_logits(memory, previous[:, None], cache)[:, 0], None, cache


class Transformer(nn.Module):
    """The encoder-decoder on vectors, batch first, like ``torch.nn.Transformer``:
    forward(source (batch, n_source, d_model), target (batch, n_target, d_model), source_mask=None,
    target_mask=None, memory_mask=None) -> (batch, n_target, d_model). No mask is added for you:
    target_mask is usually :func:`attnlab.attention.causal_mask` (n_target)."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.encoder, self.decoder = Encoder(config), Decoder(config)

    def attend(self, source, target, source_mask=None, target_mask=None, memory_mask=None):
        require_vectors("source", source, self.config.d_model, "n_source")
        memory, encoder_weights = self.encoder.attend(source, source_mask)
        output, weights = self.decoder.attend(target, memory, target_mask, memory_mask)
        return output, {"encoder": encoder_weights, **weights}

    def forward(self, source, target, source_mask=None, target_mask=None, memory_mask=None):
        require_vectors("source", source, self.config.d_model, "n_source")
        return self.decoder(target, self.encoder(source, source_mask), target_mask, memory_mask)
