"""Exercises of chapter 8, "Q3: self-attention and the fully connected layer" (fully-connected.ipynb)."""

from __future__ import annotations

import math

import torch

from ..attention import masked_softmax
from ..data.recall import RecallVocab, make_recall
from .declarations import function_exercise, number_exercise

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
    "8.3-attention-matrix", name="my_attention_matrix", cases=[(_X, _W[0], _W[1])], reference=_attention_matrix,
    describe=lambda *case: "my_attention_matrix(x, w_query, w_key)", atol=1e-6, rtol=1e-6,
    mistakes={"over-queries": lambda *case: _attention_matrix(*case, dim=-2),
              "unscaled": lambda *case: _attention_matrix(*case, scale=False),
              "no-softmax": _scores,
              "transposed": lambda *case: torch.softmax(_scores(*case).transpose(1, 2), dim=-1)})

_CHANGED = _X.clone()
_CHANGED[0] = _CHANGED[0] * 3 + 1   # a second batch in which only example 0 differs

function_exercise(
    "8.3-synthesizer", name="my_synthesizer", cases=[(_X, _LOGITS, _W[2]), (_CHANGED, _LOGITS, _W[2])],
    reference=lambda x, logits, w_value: torch.softmax(logits, dim=-1) @ (x @ w_value),
    describe=lambda x, *rest: "my_synthesizer(x, logits, w_value)"
    + (" on a second batch in which only example 0 changed" if x is _CHANGED else ""),
    atol=1e-6, rtol=1e-6,
    mistakes={"over-columns": lambda x, r, w: torch.softmax(r, dim=-2) @ (x @ w),
              "no-softmax": lambda x, r, w: r @ (x @ w),
              "no-value-projection": lambda x, r, w: torch.softmax(r, dim=-1) @ x})


number_exercise(
    "8.3-break-even", answer=math.isqrt(2 * 64 ** 2) + 1,
    wrong={"one-short": 90,
           "n-equals-d": 64,
           "no-value-projection": 111,
           "two-d": 128})


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
    "8.3-induction", name="induction_recall", cases=[(_RECALL, 20.0)], reference=_induction,
    describe=lambda *case: "induction_recall(one_hot, beta=20)", parts=("weights", "output"), atol=1e-6, rtol=1e-6,
    mistakes={"own-token": lambda *case: _induction(*case, match="own"),
              "next-token": lambda *case: _induction(*case, look=1),
              "question-token": lambda *case: _induction(*case, ask=-2),
              "no-beta": lambda *case: _induction(*case, scale=False)})
