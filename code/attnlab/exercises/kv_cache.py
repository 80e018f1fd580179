"""Exercises of chapter 7, "Decoding with a KV cache" (kv-cache.ipynb)."""

from __future__ import annotations

import torch

from .answers import as_tensor, call
from .core import exercise
from .declarations import number_exercise


def _language_model():
    """A small causal language model with sinusoidal positions, drawn without touching the global
    random state."""
    from ..models.transformer import CausalLanguageModel, TransformerConfig

    with torch.random.fork_rng():
        torch.manual_seed(74)
        config = TransformerConfig(vocab_size=11, d_model=16, num_heads=2, n_layers=2, d_ff=32)
        return CausalLanguageModel(config).double().eval()


def buggy_step(model, new_tokens, cache):
    """One cached decoding step that embeds the new tokens at positions 0, 1, ... (the bug)."""
    from ..attention import causal_mask

    x = model.embedding(new_tokens)                                   # positions restart at 0
    mask = causal_mask(new_tokens.shape[1], past=cache.length)
    return model.output(model.encoder(x, mask, cache=cache))


@exercise("7.4-cached-step")
def _(answer, wrong):
    model = _language_model()
    tokens = torch.randint(0, 11, (2, 6), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        full = model(tokens)                                          # every position at once
        cache, buggy_cache = model.encoder.new_cache(), model.encoder.new_cache()
        for t in range(tokens.shape[1]):
            new = tokens[:, t:t + 1]
            step = as_tensor(call(answer, model, new.clone(), cache, name="fixed_step"),
                             f"fixed_step at step {t}", shape=(2, 1, 11))
            buggy = buggy_step(model, new, buggy_cache)
            if cache.length != t + 1:
                raise wrong("cache-length", step=t, length=cache.length, expected=t + 1)
            if torch.allclose(step, full[:, t:t + 1].double(), atol=1e-6):
                continue
            if torch.allclose(step, buggy.double(), atol=1e-6):
                raise wrong("positions-restart", step=t)
            raise wrong("logits-differ", step=t, difference=(step - full[:, t:t + 1]).abs().max().item())


CACHE_BYTES = number_exercise(
    "7.4-cache-bytes", answer=2 * 12 * 1024 * 768 * 2, tolerance=0.5,
    wrong={"half": 12 * 1024 * 768 * 2,
           "float32": 2 * 12 * 1024 * 768 * 4,
           "times-heads": 2 * 12 * 1024 * 768 * 2 * 12})


_LAYERS, _TOKENS, _HEADS, _D_HEAD, _GROUPS, _BYTES = 12, 1024, 12, 64, 4, 2

number_exercise(
    "7.4-gqa-bytes", answer=2 * _LAYERS * _TOKENS * _GROUPS * _D_HEAD * _BYTES, tolerance=0.5,
    wrong={"all-query-heads": 2 * _LAYERS * _TOKENS * _HEADS * _D_HEAD * _BYTES,
           "multi-query": 2 * _LAYERS * _TOKENS * _D_HEAD * _BYTES,
           "keys-only": _LAYERS * _TOKENS * _GROUPS * _D_HEAD * _BYTES,
           "savings": 2 * _LAYERS * _TOKENS * (_HEADS - _GROUPS) * _D_HEAD * _BYTES})
