"""Exercises of chapter 8, "Q3: self-attention and the fully connected layer" (fully-connected.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(83)
_X = torch.randn(3, 5, 4, generator=_generator, dtype=torch.float64)
_W = [torch.randn(4, 4, generator=_generator, dtype=torch.float64) / 2 for _ in range(3)]
_LOGITS = torch.randn(5, 5, generator=_generator, dtype=torch.float64)


def _scores(x, w_query, w_key, scale=True):
    scores = (x @ w_query) @ (x @ w_key).transpose(1, 2)
    return scores / math.sqrt(x.shape[-1]) if scale else scores


def _attention_matrix(x, w_query, w_key, scale=True, dim=-1):
    return torch.softmax(_scores(x, w_query, w_key, scale), dim=dim)


function_exercise(
    "8.3-attention-matrix", "A(X) from X and the weights", name="my_attention_matrix", cases=[(_X, _W[0], _W[1])],
    reference=_attention_matrix, atol=1e-6, rtol=1e-6, describe=lambda *case: "my_attention_matrix(x, w_query, w_key)",
    mistakes={lambda *case: _attention_matrix(*case, dim=-2): "your softmax runs over the queries (dim=-2); each "
              "row, one query, must be a distribution over the keys (dim=-1).",
              lambda *case: _attention_matrix(*case, scale=False): "divide the scores by sqrt(d) before the "
              "softmax.",
              _scores: "these are the scaled scores; apply the softmax over the keys to get A(X).",
              lambda *case: torch.softmax(_scores(*case).transpose(1, 2), dim=-1): "your scores are transposed: "
              "entry (i, j) is query i against key j, (X W_q)(X W_k)^T."},
    hint="A = softmax((x @ w_query) @ (x @ w_key).transpose(1, 2) / sqrt(d), dim=-1).",
    praise="A(X) @ X @ W_v is scaled dot-product self-attention's output: the mixing matrix is computed from "
           "the input.")

_CHANGED = _X.clone()
_CHANGED[0] = _CHANGED[0] * 3 + 1   # a second batch in which only example 0 differs

function_exercise(
    "8.3-synthesizer", "The Synthesizer's mixing", name="my_synthesizer",
    cases=[(_X, _LOGITS, _W[2]), (_CHANGED, _LOGITS, _W[2])],
    reference=lambda x, logits, w_value: torch.softmax(logits, dim=-1) @ (x @ w_value), atol=1e-6, rtol=1e-6,
    describe=lambda x, *rest: "my_synthesizer(x, logits, w_value)"
    + (" on a second batch in which only example 0 changed" if x is _CHANGED else ""),
    mistakes={lambda x, r, w: torch.softmax(r, dim=-2) @ (x @ w): "your softmax runs over the columns: each "
              "output position (row of R) needs a distribution over the input positions, softmax(R, dim=-1).",
              lambda x, r, w: r @ (x @ w): "you used R itself: the random Synthesizer's weights are softmax(R).",
              lambda x, r, w: torch.softmax(r, dim=-1) @ x: "you forgot the value projection: multiply x by "
              "w_value."},
    hint="softmax(logits, dim=-1) @ (x @ w_value): the examples of a batch are mixed independently, with the "
         "same (n, n) matrix.",
    praise="The same (n, n) matrix mixes every input: learned, but not computed from the input.")


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
