"""Exercises of chapter 7, "A real pretrained model" (pretrained.ipynb)."""

from __future__ import annotations

import torch

from ..heads import head_entropy, offset_score
from ..pretrained import mean_pool, sentence_similarity
from .core import function_exercise

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


_CASE = [(_WEIGHTS, _MASK)]
_ALL = torch.ones_like(_MASK)
_PER_SENTENCE = ("you averaged each sentence first, then the sentences: short sentences weigh too much. Average "
                 "over all the real query positions of all sentences at once.")


def _per_sentence(statistic):
    return lambda w, m: torch.stack([statistic(w[b:b + 1], m[b:b + 1]) for b in range(len(w))]).mean(0)


def _masked_mean_over_queries(per_query, mask):
    return (per_query * mask[:, None, :]).sum((0, 2)) / mask.sum()


function_exercise(
    "7.5-previous-token-score", "Find a previous-token head", name="previous_token_score", cases=_CASE,
    reference=lambda w, m: offset_score(w, m, -1), atol=1e-6, rtol=1e-6,
    describe=lambda *case: "previous_token_score(weights, attention_mask)",
    mistakes={lambda w, m: offset_score(w, torch.ones_like(m), -1): "padded query positions count in your mean; "
              "average only over queries i >= 1 that are real tokens (attention_mask[:, i] is True).",
              lambda w, m: offset_score(w, m, +1): "that is the weight on the NEXT token (key i + 1); the previous "
              "token is key i - 1.",
              lambda w, m: _masked_mean_over_queries(torch.diagonal(w, dim1=-2, dim2=-1), m): "that is the weight a "
              "query gives itself (the diagonal); take key i - 1 for query i.",
              _per_sentence(lambda w, m: offset_score(w, m, -1)): _PER_SENTENCE,
              lambda w, m: _masked_mean_over_queries((w * torch.eye(w.shape[-1], dtype=w.dtype).roll(-1, dims=1))
                                                     .sum(-1), m): "query 0 has no previous token: leave it out "
              "(your count wraps around to the last key)."},
    hint="For each head: the mean over sentences b and real positions i >= 1 of weights[b, head, i, i - 1]; "
         "torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1) gives those weights.",
    praise="A head that always attends to the previous token scores 1. Apply your function to each of MiniLM's six "
           "layers: its best head should be the one offset_score found.")

function_exercise(
    "7.5-masked-entropy", "The entropy of each head, padding left out", name="my_head_entropy", cases=_CASE,
    reference=head_entropy, atol=1e-6, rtol=1e-6, describe=lambda *case: "my_head_entropy(weights, attention_mask)",
    mistakes={lambda w, m: -(w * w.log()).sum(-1).mul(m[:, None]).sum((0, 2)) / m.sum(): "your entropies contain "
              "NaN: a weight of exactly 0 gives 0 * log(0) = 0 * -inf = NaN. Use torch.xlogy(weights, weights), "
              "which counts 0 * log 0 as 0.",
              lambda w, m: head_entropy(w, m) / torch.log(torch.tensor(2.0, dtype=w.dtype)): "you measured in bits "
              "(log2); the chapter uses natural logarithms (nats): torch.log.",
              lambda w, m: -head_entropy(w, m): "the sign is wrong: entropy is minus the sum of w log w, and it is "
              "never negative.",
              lambda w, m: head_entropy(w, torch.ones_like(m)): "padded query positions count in your mean; average "
              "only over the real queries (attention_mask True).",
              _per_sentence(head_entropy): _PER_SENTENCE},
    hint="entropy[b, h, i] = -(weights * log weights).sum(-1); then the mean over the real queries of all "
         "sentences, per head.",
    praise="A head that puts all its weight on one key scores 0; one that spreads it evenly over n real keys "
           "scores log(n). Applied to MiniLM's six layers, yours should redraw the entropy map.")


def _similarity(hidden_a, mask_a, hidden_b, mask_b):
    return sentence_similarity(mean_pool(hidden_a, mask_a), mean_pool(hidden_b, mask_b))


function_exercise(
    "7.5-sentence-similarity", "Sentence embeddings by mean pooling, compared by cosine", name="similarity",
    cases=[(_HIDDEN_A, _MASK_A, _HIDDEN_B, _MASK_B)], reference=_similarity, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "similarity(hidden_a, mask_a, hidden_b, mask_b)",
    mistakes={lambda a, ma, b, mb: _similarity(a, torch.ones_like(ma), b, torch.ones_like(mb)): "your mean includes "
              "the padded positions; multiply by the mask and divide by the number of real tokens, not by n.",
              lambda a, ma, b, mb: _similarity(a[:, :1], ma[:, :1] | True, b[:, :1], mb[:, :1] | True): "you "
              "compared the first ([CLS]) states; this model's sentence embedding is the mean of all real tokens' "
              "states.",
              lambda a, ma, b, mb: ((a * ma[..., None]).sum(1) / ma.sum(1, keepdim=True)
                                    * (b * mb[..., None]).sum(1) / mb.sum(1, keepdim=True)).sum(-1): "that is the dot "
              "product of the mean states; normalise each embedding to length 1 first (cosine similarity)."},
    hint="embedding = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), then divide by its norm; "
         "similarity = (embedding_a * embedding_b).sum(-1).",
    praise="A similarity of 1 means the same direction. A sentence with a single real token is embedded as that "
           "token's state, normalised to length 1.")
