"""Exercises of chapter 7, "A real pretrained model" (pretrained.ipynb)."""

from __future__ import annotations

import torch

from ..heads import head_entropy, offset_score
from ..pretrained import mean_pool, sentence_similarity
from .declarations import function_exercise

_generator = torch.Generator().manual_seed(75)
_LENGTHS = torch.tensor([7, 4, 2])
_MASK = torch.arange(7)[None, :] < _LENGTHS[:, None]                                       # (batch 3, n 7)
_SCORES = torch.randn(3, 4, 7, 7, generator=_generator, dtype=torch.float64) * 2.5        # (batch, heads, n, n)
_SCORES[:, 1] += 6 * torch.eye(7, dtype=torch.float64).roll(-1, dims=1)  # head 1 likes the previous token
_WEIGHTS = torch.softmax(_SCORES.masked_fill(~_MASK[:, None, None, :], float("-inf")), dim=-1)
_WEIGHTS[:, 3] = torch.zeros(7, 7, dtype=torch.float64).index_fill_(1, torch.tensor([0]), 1.0)  # all on key 0
_HIDDEN_A = torch.randn(4, 6, 5, generator=_generator, dtype=torch.float64) + 0.5       # (batch, n, d)
_HIDDEN_B = torch.randn(4, 6, 5, generator=_generator, dtype=torch.float64) + 0.5
_MASK_A = torch.arange(6)[None, :] < torch.tensor([6, 3, 5, 1])[:, None]
_MASK_B = torch.arange(6)[None, :] < torch.tensor([2, 6, 4, 6])[:, None]


_CASE = [(_WEIGHTS, _MASK)]


def _per_sentence(statistic):
    return lambda w, m: torch.stack([statistic(w[b:b + 1], m[b:b + 1]) for b in range(len(w))]).mean(0)


def _masked_mean_over_queries(per_query, mask):
    return (per_query * mask[:, None, :]).sum((0, 2)) / mask.sum()


def _wrapped_previous(weights, mask):
    """The weight on key i - 1 for every query, query 0 wrapping around to the last key."""
    previous = torch.eye(weights.shape[-1], dtype=weights.dtype).roll(-1, dims=1)
    return _masked_mean_over_queries((weights * previous).sum(-1), mask)


function_exercise(
    "7.5-previous-token-score", name="previous_token_score", cases=_CASE,
    reference=lambda w, m: offset_score(w, m, -1),
    describe=lambda *case: "previous_token_score(weights, attention_mask)", atol=1e-6, rtol=1e-6,
    mistakes={"padded-queries": lambda w, m: offset_score(w, torch.ones_like(m), -1),
              "next-token": lambda w, m: offset_score(w, m, +1),
              "diagonal": lambda w, m: _masked_mean_over_queries(torch.diagonal(w, dim1=-2, dim2=-1), m),
              "per-sentence": _per_sentence(lambda w, m: offset_score(w, m, -1)),
              "wraps-around": _wrapped_previous})

function_exercise(
    "7.5-masked-entropy", name="my_head_entropy", cases=_CASE, reference=head_entropy,
    describe=lambda *case: "my_head_entropy(weights, attention_mask)", atol=1e-6, rtol=1e-6,
    mistakes={"zero-log-zero": lambda w, m: -(w * w.log()).sum(-1).mul(m[:, None]).sum((0, 2)) / m.sum(),
              "bits": lambda w, m: head_entropy(w, m) / torch.log(torch.tensor(2.0, dtype=w.dtype)),
              "negative": lambda w, m: -head_entropy(w, m),
              "padded-queries": lambda w, m: head_entropy(w, torch.ones_like(m)),
              "per-sentence": _per_sentence(head_entropy)})


def _similarity(hidden_a, mask_a, hidden_b, mask_b):
    return sentence_similarity(mean_pool(hidden_a, mask_a), mean_pool(hidden_b, mask_b))


def _dot_of_means(hidden_a, mask_a, hidden_b, mask_b):
    """The dot product of the two mean states, not normalised."""
    mean_a = (hidden_a * mask_a[..., None]).sum(1) / mask_a.sum(1, keepdim=True)
    mean_b = (hidden_b * mask_b[..., None]).sum(1) / mask_b.sum(1, keepdim=True)
    return (mean_a * mean_b).sum(-1)


function_exercise(
    "7.5-sentence-similarity", name="similarity", cases=[(_HIDDEN_A, _MASK_A, _HIDDEN_B, _MASK_B)],
    reference=_similarity, describe=lambda *case: "similarity(hidden_a, mask_a, hidden_b, mask_b)", atol=1e-6,
    rtol=1e-6,
    mistakes={"padded-mean": lambda a, ma, b, mb: _similarity(a, torch.ones_like(ma), b, torch.ones_like(mb)),
              "first-token": lambda a, ma, b, mb: _similarity(a[:, :1], ma[:, :1] | True, b[:, :1], mb[:, :1] | True),
              "unnormalised": _dot_of_means})
