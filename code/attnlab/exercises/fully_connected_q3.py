"""Exercises of chapter 8, "Q3: self-attention and the fully connected layer" (fully-connected.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(83)
_X = torch.randn(3, 5, 4, generator=_generator, dtype=torch.float64)
_W = [torch.randn(4, 4, generator=_generator, dtype=torch.float64) / 2 for _ in range(3)]
_LOGITS = torch.randn(5, 5, generator=_generator, dtype=torch.float64)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _scores(x, w_query, w_key, scale=True):
    scores = (x @ w_query) @ (x @ w_key).transpose(1, 2)
    return scores / math.sqrt(x.shape[-1]) if scale else scores


@exercise("8.3-attention-matrix", "A(X) from X and the weights")
def _(answer):
    w_query, w_key, w_value = _W
    result = as_tensor(call(answer, _X.clone(), w_query.clone(), w_key.clone()), "your A(X)", shape=(3, 5, 5))
    expected = torch.softmax(_scores(_X, w_query, w_key), dim=-1)
    if _close(result, expected):
        output = result @ _X @ w_value
        reference = torch.nn.functional.scaled_dot_product_attention(_X @ w_query, _X @ w_key, _X @ w_value)
        torch.testing.assert_close(output, reference)
        return "A(X) @ X @ W_v equals scaled dot-product self-attention's output on the checker's inputs."
    if _close(result, torch.softmax(_scores(_X, w_query, w_key), dim=-2)):
        raise Incorrect("your softmax runs over the queries (dim=-2); each row, one query, must be a "
                        "distribution over the keys (dim=-1).")
    if _close(result, torch.softmax(_scores(_X, w_query, w_key, scale=False), dim=-1)):
        raise Incorrect("divide the scores by sqrt(d) before the softmax.")
    if _close(result, _scores(_X, w_query, w_key)):
        raise Incorrect("these are the scaled scores; apply the softmax over the keys to get A(X).")
    if _close(result, torch.softmax(_scores(_X, w_query, w_key).transpose(1, 2), dim=-1)):
        raise Incorrect("your scores are transposed: entry (i, j) is query i against key j, "
                        "(X W_q)(X W_k)^T.")
    expect_close(result, expected, "your A(X)", atol=1e-6,
                 hint="A = softmax((x @ w_query) @ (x @ w_key).transpose(1, 2) / sqrt(d), dim=-1).")
    return ""


@exercise("8.3-synthesizer", "The Synthesizer's mixing")
def _(answer):
    w_value = _W[2]
    result = as_tensor(call(answer, _X.clone(), _LOGITS.clone(), w_value.clone()), "your output", shape=(3, 5, 4))
    expected = torch.softmax(_LOGITS, dim=-1) @ (_X @ w_value)
    if not _close(result, expected):
        if _close(result, torch.softmax(_LOGITS, dim=-2) @ (_X @ w_value)):
            raise Incorrect("your softmax runs over the columns: each output position (row of R) needs a "
                            "distribution over the input positions, softmax(R, dim=-1).")
        if _close(result, _LOGITS @ (_X @ w_value)):
            raise Incorrect("you used R itself: the random Synthesizer's weights are softmax(R).")
        if _close(result, torch.softmax(_LOGITS, dim=-1) @ _X):
            raise Incorrect("you forgot the value projection: multiply x by w_value.")
        expect_close(result, expected, "your output", atol=1e-6,
                     hint="softmax(logits, dim=-1) @ (x @ w_value).")
    # Its weights must not depend on the input: change one example, the others must not move.
    changed = _X.clone()
    changed[0] = changed[0] * 3 + 1
    again = as_tensor(call(answer, changed, _LOGITS.clone(), w_value.clone()), "your output", shape=(3, 5, 4))
    if not _close(again[1:], expected[1:]):
        raise Incorrect("changing example 0 changed the other examples' outputs: the examples of a batch "
                        "must be mixed independently, with the same (n, n) matrix.")
    return "The same (n, n) matrix mixes every input: learned, but not computed from the input."


number_exercise(
    "8.3-break-even", "Predict: when does fixed mixing cost more?",
    answer=math.isqrt(2 * 64 ** 2) + 1,
    praise="n^2 + d^2 > 3 d^2 means n > sqrt(2) d = 90.5: from n = 91 on, the fixed matrix is larger, and "
           "it grows as n^2 while self-attention's stays 3 d^2.",
    hint="Solve n^2 + d^2 > 3 d^2 for the smallest whole n.",
    wrong={90: "at n = 90, n^2 + d^2 = 12,196 is still below 3 d^2 = 12,288.",
           64: "n = d is where n^2 = d^2; the fixed layer also has W_v, and attention has three d × d "
               "matrices: solve n^2 + d^2 > 3 d^2.",
           111: "that solves n^2 > 3 d^2: the fixed layer also has its value projection (d^2).",
           128: "that is 2d; the condition is n^2 > 2 d^2, i.e. n > sqrt(2) d."})
