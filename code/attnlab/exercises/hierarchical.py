"""Exercises of chapter 4, "Hierarchical attention" (hierarchical.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise

# Word weights of a 3-sentence document (rows sum to 1 over the real words; padding has weight 0),
# and the sentence weights (summing to 1).
_WORD_WEIGHTS = torch.tensor([[0.5, 0.3, 0.2], [0.2, 0.4, 0.4], [1.0, 0.0, 0.0]], dtype=torch.float64)
_SENTENCE_WEIGHTS = torch.tensor([0.2, 0.7, 0.1], dtype=torch.float64)


function_exercise(
    "4.3-document-weights", name="document_word_weights", cases=[(_WORD_WEIGHTS, _SENTENCE_WEIGHTS)],
    reference=lambda words, sentences: sentences[:, None] * words,
    describe=lambda *case: "document_word_weights(word_weights, sentence_weights)", atol=1e-6,
    mistakes={"per-column": lambda words, sentences: words * sentences,
              "added": lambda words, sentences: words + sentences[:, None]})


# ---------------------------------------------------------------------------------------------
# 4.3-sentence-pooling: attention pooling of sentence vectors into a document vector (hidden inputs).

def _pool_inputs():
    generator = torch.Generator().manual_seed(7)
    batch, n_sentences, d = 2, 4, 3
    sentences = torch.randn(batch, n_sentences, d, generator=generator, dtype=torch.float64)
    mask = torch.tensor([[True, True, True, False], [True, False, True, False]])
    W = torch.randn(d, d, generator=generator, dtype=torch.float64)
    b = torch.randn(d, generator=generator, dtype=torch.float64)
    u_s = 2 * torch.randn(d, generator=generator, dtype=torch.float64)
    return sentences, mask, W, b, u_s


def _pool(sentences, mask, W, b, u_s, *, squash=True, use_mask=True, weighted=True):
    hidden = sentences @ W.T + b
    scores = (torch.tanh(hidden) if squash else hidden) @ u_s
    if use_mask:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    if not weighted:
        return sentences.mean(1), weights
    return (weights.unsqueeze(-1) * sentences).sum(1), weights


function_exercise(
    "4.3-sentence-pooling", name="sentence_pool", cases=[_pool_inputs()], reference=_pool,
    describe=lambda *case: "sentence_pool(sentences, mask, W, b, u_s)", parts=("document", "weights"), atol=1e-6,
    mistakes={"no-mask": lambda *case: _pool(*case, use_mask=False),
              "no-tanh": lambda *case: _pool(*case, squash=False),
              "w-transposed": lambda s, m, W, b, u: _pool(s, m, W.T, b, u),
              "plain-mean": lambda *case: _pool(*case, weighted=False)})
