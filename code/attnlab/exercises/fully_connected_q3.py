"""Exercises of chapter 8, "Q3: self-attention and the fully connected layer" (fully-connected.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import masked_softmax
from ..data.recall import RecallVocab, make_recall
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


# 8.3-induction: two attention layers, built by hand, read recall without the previous-token feature
_RECALL_VOCAB = RecallVocab(n_keys=16, n_values=8)
_RECALL = torch.nn.functional.one_hot(make_recall(6, [2, 6], _RECALL_VOCAB, seed=_generator)[0],
                                      _RECALL_VOCAB.size).double()


def _induction(one_hot, beta, look=-1, match="previous", ask=-1, scale=True):
    n = one_hot.shape[1]
    back = torch.arange(n)[None, :] == torch.arange(n)[:, None] + look         # position j = i + look
    previous = masked_softmax(torch.zeros(n, n, dtype=one_hot.dtype), back) @ one_hot
    keys = previous if match == "previous" else one_hot
    weights = torch.softmax((beta if scale else 1.0) * (keys @ one_hot[:, ask, :, None]).squeeze(-1), dim=-1)
    return weights, (weights[..., None] * one_hot).sum(1)


function_exercise(
    "8.3-induction", "Transfer: two attention layers do recall without help", name="induction_recall",
    cases=[(_RECALL, 20.0)], reference=_induction, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "induction_recall(one_hot, beta=20)", parts=("weights", "output"),
    mistakes={lambda *case: _induction(*case, match="own"): "your second layer matches the asked key against each "
              "position's OWN token: that finds the key's position (and the question itself), not the value "
              "after it. Match it against the token before each position, which the first layer copied there.",
              lambda *case: _induction(*case, look=1): "your first layer copies the NEXT token (j = i + 1) into "
              "each position; it must look one back, j = i - 1, so that a value's position carries its key.",
              lambda *case: _induction(*case, ask=-2): "your query is the `?` token; the asked key is the LAST "
              "token of the sequence.",
              lambda *case: _induction(*case, scale=False): "your second layer's scores are not multiplied by "
              "beta: with dot products of 0 or 1 the softmax stays nearly uniform."},
    hint="Layer 1: masked_softmax(zeros (n, n), mask j == i - 1) @ one_hot gives each position its previous "
         "token (none for position 0). Layer 2: scores = beta * previous @ one_hot[:, -1]; softmax over the "
         "positions; output = weights @ one_hot.",
    praise="The first head looks one back by position alone; the second matches content against what the first "
           "wrote: an induction head, the two-layer circuit trained Transformers form for this.")
