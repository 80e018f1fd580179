"""Exercises of chapter 7, "Decoding with a KV cache" (kv-cache.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(74)


def _draw(*shape):
    return torch.randn(*shape, generator=_generator, dtype=torch.float64)


_CASES = [tuple(_draw(2, n, 6) for n in (1, 1, 1, t, t)) for t in (0, 3, 7)]  # query, key, value, keys, values


def _attend(q, keys, values):
    return torch.softmax(q @ keys.transpose(1, 2) / math.sqrt(q.shape[-1]), dim=-1) @ values


@exercise("7.4-cached-step", "A decoding step with a KV cache")
def _(answer):
    for query, key, value, cached_keys, cached_values in _CASES:
        t = cached_keys.shape[1]
        result = call(answer, query.clone(), key.clone(), value.clone(), cached_keys.clone(), cached_values.clone(),
                      name="my_cached_step")
        if result is None:
            raise Incorrect("my_cached_step returned None. Replace the `...` of the starter cell and end your "
                            "function with `return output, keys, values`.")
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Incorrect("my_cached_step should return three things: (output, keys, values).")
        output = as_tensor(result[0], "your output", shape=(2, 1, 6))
        keys = as_tensor(result[1], "your keys", shape=(2, t + 1, 6))
        values = as_tensor(result[2], "your values", shape=(2, t + 1, 6))
        all_keys, all_values = torch.cat([cached_keys, key], 1), torch.cat([cached_values, value], 1)
        if torch.allclose(keys, torch.cat([key, cached_keys], 1)) and t > 0:
            raise Incorrect("you put the new key before the cached ones; append it at the end (dim=1), so that "
                            "position t + 1 stays last.")
        expect_close(keys, all_keys, "your keys", hint="append the new key to the cached keys along dim=1.")
        expect_close(values, all_values, "your values", hint="append the new value to the cached values along dim=1.")
        expected = _attend(query, all_keys, all_values)
        if torch.allclose(output, expected, atol=1e-6):
            continue
        if t > 0 and torch.allclose(output, _attend(query, cached_keys, cached_values), atol=1e-6):
            raise Incorrect("your new position attends to the cached positions only: it must see itself too "
                            "(attend after appending).")
        unscaled = torch.softmax(query @ all_keys.transpose(1, 2), dim=-1) @ all_values
        if torch.allclose(output, unscaled, atol=1e-6):
            raise Incorrect("the scores are not divided by sqrt(d).")
        expect_close(output, expected, "your output",
                     hint="weights = softmax(query @ keys^T / sqrt(d)) over the t + 1 keys; output = weights @ values.")
    return "Right: one query, t + 1 keys; the step costs O(t d), not O(t^2 d)."


CACHE_BYTES = number_exercise(
    "7.4-cache-bytes", "Predict: the cache of a real model",
    answer=2 * 12 * 1024 * 768 * 2, tolerance=0.5,
    praise="Right: 37,748,736 bytes (36 MiB) per sequence of 1024 tokens.",
    hint="Count keys and values, per layer, per token, of width d_model, at 2 bytes each.",
    wrong={12 * 1024 * 768 * 2: "That is half: the cache holds keys AND values, and counts bytes (2 per "
                                "float16 number), not numbers.",
           2 * 12 * 1024 * 768 * 4: "That is float32; the cache is kept in float16, 2 bytes per number.",
           2 * 12 * 1024 * 768 * 2 * 12: "The heads together have width d_model = 768; do not multiply by the heads."})
