"""Exercises of chapter 7, "Decoding with a KV cache" (kv-cache.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise, number_exercise


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


@exercise("7.4-cached-step", "Debug: a cache whose positions start again at 0")
def _(answer):
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
                raise Incorrect(f"after step {t} the cache holds {cache.length} positions instead of {t + 1}: run "
                                "the encoder with cache=cache, once per step.")
            if torch.allclose(step, full[:, t:t + 1].double(), atol=1e-6):
                continue
            if torch.allclose(step, buggy.double(), atol=1e-6):
                raise Incorrect(f"at step {t} your logits are the buggy step's: the new token is still embedded at "
                                f"position 0. Its position is cache.length, the number of tokens already decoded: "
                                f"model.embedding(new_tokens, offset=cache.length).")
            raise Incorrect(f"at step {t} your logits differ from those of one full forward pass by up to "
                            f"{(step - full[:, t:t + 1]).abs().max().item():.3g}. Embed the new token at "
                            f"offset cache.length, mask with causal_mask(n_new, past=cache.length), and pass the "
                            f"cache to the encoder.")
    return ("Six steps, each embedding its token at its own position, gave the logits of one full forward pass: the "
            "cache stores the past, the offset says where the present is.")


CACHE_BYTES = number_exercise(
    "7.4-cache-bytes", "Predict: the cache of a real model",
    answer=2 * 12 * 1024 * 768 * 2, tolerance=0.5,
    praise="Right: 37,748,736 bytes (36 MiB) per sequence of 1024 tokens.",
    hint="Count keys and values, per layer, per token, of width d_model, at 2 bytes each.",
    wrong={12 * 1024 * 768 * 2: "That is half: the cache holds keys AND values, and counts bytes (2 per "
                                "float16 number), not numbers.",
           2 * 12 * 1024 * 768 * 4: "That is float32; the cache is kept in float16, 2 bytes per number.",
           2 * 12 * 1024 * 768 * 2 * 12: "The heads together have width d_model = 768; do not multiply by the heads."})


_LAYERS, _TOKENS, _HEADS, _D_HEAD, _GROUPS, _BYTES = 12, 1024, 12, 64, 4, 2

number_exercise(
    "7.4-gqa-bytes", "Transfer: the cache of grouped-query attention",
    answer=2 * _LAYERS * _TOKENS * _GROUPS * _D_HEAD * _BYTES, tolerance=0.5,
    praise="Right: 12,582,912 bytes (12 MiB), a third of the 36 MiB of full multi-head attention: the cache "
           "stores one key and one value per KEY head, and the query heads of a group share them.",
    hint="The cache holds keys and values per layer, per token, per key-value head (of width d_head), at 2 bytes "
         "each; the number of query heads does not enter.",
    wrong={2 * _LAYERS * _TOKENS * _HEADS * _D_HEAD * _BYTES: "That is the full multi-head cache: with grouped-query "
           "attention only the 4 key-value heads are stored, not the 12 query heads.",
           2 * _LAYERS * _TOKENS * _D_HEAD * _BYTES: "That is multi-query attention, one key-value head for all the "
           "query heads; here there are 4 groups.",
           _LAYERS * _TOKENS * _GROUPS * _D_HEAD * _BYTES: "That is half: the cache holds keys AND values.",
           2 * _LAYERS * _TOKENS * (_HEADS - _GROUPS) * _D_HEAD * _BYTES: "That is what grouping saves, not what it "
           "keeps."})
