"""Exercises of chapter 7, "A real pretrained model" (pretrained.ipynb)."""

from __future__ import annotations

import torch

from ..heads import head_entropy, offset_score
from ..pretrained import mean_pool, sentence_similarity
from .core import Incorrect, as_tensor, call, exercise, expect_close

_generator = torch.Generator().manual_seed(75)
_LENGTHS = torch.tensor([7, 4, 2])
_MASK = torch.arange(7)[None, :] < _LENGTHS[:, None]                                       # (batch 3, n 7)
_SCORES = torch.randn(3, 4, 7, 7, generator=_generator, dtype=torch.float64) * 2.5        # (batch, heads, n, n)
_SCORES[:, 1] += 6 * torch.eye(7, dtype=torch.float64).roll(-1, dims=1)                  # head 1 likes the previous token
_WEIGHTS = torch.softmax(_SCORES.masked_fill(~_MASK[:, None, None, :], float("-inf")), dim=-1)
_WEIGHTS[:, 3] = torch.zeros(7, 7, dtype=torch.float64).index_fill_(1, torch.tensor([0]), 1.0)  # all on key 0
_HIDDEN_A = torch.randn(4, 6, 5, generator=_generator, dtype=torch.float64) + 0.5       # (batch, n, d)
_HIDDEN_B = torch.randn(4, 6, 5, generator=_generator, dtype=torch.float64) + 0.5
_MASK_A = torch.arange(6)[None, :] < torch.tensor([6, 3, 5, 1])[:, None]
_MASK_B = torch.arange(6)[None, :] < torch.tensor([2, 6, 4, 6])[:, None]


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _inputs():
    return _WEIGHTS.clone(), _MASK.clone()


@exercise("7.5-previous-token-score", "Find a previous-token head")
def _(answer):
    expected = offset_score(_WEIGHTS, _MASK, -1)
    result = as_tensor(call(answer, *_inputs()), "your scores", shape=(4,))
    if _close(result, expected):
        return ("A head that always attends to the previous token scores 1. Apply your function to "
                "each of MiniLM's six layers: its best head should be the one offset_score found.")
    everything = torch.ones_like(_MASK)
    if _close(result, offset_score(_WEIGHTS, everything, -1)):
        raise Incorrect("padded query positions count in your mean; average only over queries i >= 1 that "
                        "are real tokens (attention_mask[:, i] is True).")
    if _close(result, offset_score(_WEIGHTS, _MASK, +1)):
        raise Incorrect("that is the weight on the NEXT token (key i + 1); the previous token is key i - 1.")
    diagonal = torch.diagonal(_WEIGHTS, dim1=-2, dim2=-1)
    if _close(result, (diagonal * _MASK[:, None, :]).sum((0, 2)) / _MASK.sum()):
        raise Incorrect("that is the weight a query gives itself (the diagonal); take key i - 1 for query i.")
    per_sentence = torch.stack([offset_score(_WEIGHTS[b:b + 1], _MASK[b:b + 1], -1) for b in range(3)])
    if _close(result, per_sentence.mean(0)):
        raise Incorrect("you averaged each sentence first, then the sentences: short sentences weigh too much. "
                        "Average over all the real query positions i >= 1 of all sentences at once.")
    rolled = (_WEIGHTS * torch.eye(7, dtype=torch.float64).roll(-1, dims=1)).sum(-1)   # query 0 reads key n - 1
    if _close(result, (rolled * _MASK[:, None, :]).sum((0, 2)) / _MASK.sum()):
        raise Incorrect("query 0 has no previous token: leave it out (your count wraps around to the last key).")
    expect_close(result, expected, "your scores",
                 hint="For each head: the mean over sentences b and real positions i >= 1 of weights[b, head, i, i - 1]; "
                      "torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1) gives those weights.")


@exercise("7.5-masked-entropy", "The entropy of each head, padding left out")
def _(answer):
    expected = head_entropy(_WEIGHTS, _MASK)
    raw = call(answer, *_inputs())
    if torch.is_tensor(raw) and raw.is_floating_point() and torch.isnan(raw).any():
        raise Incorrect("your entropies contain NaN: a weight of exactly 0 gives 0 * log(0) = 0 * -inf = NaN. "
                        "Use torch.xlogy(weights, weights), which counts 0 * log 0 as 0.")
    result = as_tensor(raw, "your entropies", shape=(4,))
    if _close(result, expected):
        return ("A head that puts all its weight on one key scores 0; one that spreads it evenly over n real "
                "keys scores log(n). Applied to MiniLM's six layers, yours should redraw the entropy map.")
    if _close(result, expected / torch.log(torch.tensor(2.0, dtype=torch.float64))):
        raise Incorrect("you measured in bits (log2); the chapter uses natural logarithms (nats): torch.log.")
    if _close(result, -expected):
        raise Incorrect("the sign is wrong: entropy is minus the sum of w log w, and it is never negative.")
    if _close(result, head_entropy(_WEIGHTS, torch.ones_like(_MASK))):
        raise Incorrect("padded query positions count in your mean; average only over the real queries "
                        "(attention_mask True).")
    per_sentence = torch.stack([head_entropy(_WEIGHTS[b:b + 1], _MASK[b:b + 1]) for b in range(3)])
    if _close(result, per_sentence.mean(0)):
        raise Incorrect("you averaged each sentence first, then the sentences; average over all real query "
                        "positions of all sentences at once.")
    expect_close(result, expected, "your entropies",
                 hint="entropy[b, h, i] = -(weights * log weights).sum(-1); then the mean over the real queries "
                      "of all sentences, per head.")


@exercise("7.5-sentence-similarity", "Sentence embeddings by mean pooling, compared by cosine")
def _(answer):
    def reference(hidden_a, mask_a, hidden_b, mask_b):
        return sentence_similarity(mean_pool(hidden_a, mask_a), mean_pool(hidden_b, mask_b))

    expected = reference(_HIDDEN_A, _MASK_A, _HIDDEN_B, _MASK_B)
    result = as_tensor(call(answer, _HIDDEN_A.clone(), _MASK_A.clone(), _HIDDEN_B.clone(), _MASK_B.clone()),
                       "your similarities", shape=(4,))
    if _close(result, expected):
        return ("A similarity of 1 means the same direction. A sentence with a single real token is "
                "embedded as that token's state, normalised to length 1.")
    everything = torch.ones_like(_MASK_A)
    if _close(result, reference(_HIDDEN_A, everything, _HIDDEN_B, everything)):
        raise Incorrect("your mean includes the padded positions; multiply by the mask and divide by the number "
                        "of real tokens, not by n.")
    if _close(result, reference(_HIDDEN_A[:, :1], everything[:, :1], _HIDDEN_B[:, :1], everything[:, :1])):
        raise Incorrect("you compared the first ([CLS]) states; this model's sentence embedding is the mean of "
                        "all real tokens' states.")
    pooled_a = (_HIDDEN_A * _MASK_A[..., None]).sum(1) / _MASK_A.sum(1, keepdim=True)
    pooled_b = (_HIDDEN_B * _MASK_B[..., None]).sum(1) / _MASK_B.sum(1, keepdim=True)
    if _close(result, (pooled_a * pooled_b).sum(-1)):
        raise Incorrect("that is the dot product of the mean states; normalise each embedding to length 1 "
                        "first (cosine similarity).")
    expect_close(result, expected, "your similarities",
                 hint="embedding = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), then divide by its "
                      "norm; similarity = (embedding_a * embedding_b).sum(-1).")
