"""Exercises of chapter 4, "Hierarchical attention" (hierarchical.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise, expect_close

# Word weights of a 3-sentence document (rows sum to 1 over the real words; padding has weight 0),
# and the sentence weights (summing to 1).
_WORD_WEIGHTS = torch.tensor([[0.5, 0.3, 0.2], [0.2, 0.4, 0.4], [1.0, 0.0, 0.0]], dtype=torch.float64)
_SENTENCE_WEIGHTS = torch.tensor([0.2, 0.7, 0.1], dtype=torch.float64)


@exercise("4.3-document-weights", "Each word's share of the whole document")
def _(answer):
    weights = call(answer, _WORD_WEIGHTS.clone(), _SENTENCE_WEIGHTS.clone(), name="document_word_weights")
    weights = as_tensor(weights, "document_word_weights(...)", shape=(3, 3))
    expected = _SENTENCE_WEIGHTS[:, None] * _WORD_WEIGHTS
    if torch.allclose(weights, _WORD_WEIGHTS * _SENTENCE_WEIGHTS, atol=1e-6):
        raise Incorrect("you multiplied word j by the weight of sentence j. Each row (a sentence) must be "
                        "multiplied by that sentence's weight: sentence_weights[:, None].")
    if torch.allclose(weights, _WORD_WEIGHTS + _SENTENCE_WEIGHTS[:, None], atol=1e-6):
        raise Incorrect("you added the weights. A word gets its sentence's share of the attention, "
                        "split by the word weights: multiply.")
    if abs(weights.sum().item() - 1.0) > 1e-6:
        raise Incorrect(f"your weights sum to {weights.sum().item():.3f} over the document; "
                        f"the effective word weights of a document must sum to 1.")
    expect_close(weights, expected, "document_word_weights(...)",
                 hint="Word j of sentence i gets sentence_weights[i] * word_weights[i, j].")
    return "The document vector is exactly the average of the word vectors under these weights."


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


@exercise("4.3-sentence-pooling", "Attention pooling of sentence vectors into a document vector")
def _(answer):
    inputs = _pool_inputs()
    sentences, mask = inputs[:2]
    result = call(answer, *(x.clone() for x in inputs), name="sentence_pool")
    if result is None:
        raise Incorrect("sentence_pool returned None: end it with `return document, weights`.")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("sentence_pool should return a pair (document, weights), e.g. `return document, weights`.")
    document = as_tensor(result[0], "document", shape=(2, 3))
    weights = as_tensor(result[1], "weights", shape=(2, 4))
    right_document, right_weights = _pool(*inputs)
    if not torch.allclose(weights, right_weights, atol=1e-6):
        if (weights[~mask].abs() > 1e-6).any():
            raise Incorrect("empty (padding) sentences get weight: set their scores to -inf before the softmax, "
                            "so the weight is shared among the real sentences only.")
        if torch.allclose(weights, _pool(*inputs, squash=False)[1], atol=1e-6):
            raise Incorrect("the scores skip the tanh: u_i = tanh(W s_i + b), then the score is u_i . u_s.")
        if torch.allclose(weights, _pool(inputs[0], inputs[1], inputs[2].T, inputs[3], inputs[4])[1], atol=1e-6):
            raise Incorrect("W is applied transposed: compute W s_i as sentences @ W.T.")
        if not torch.allclose(weights.sum(-1), torch.ones(2, dtype=torch.float64), atol=1e-6):
            raise Incorrect("each document's sentence weights should sum to 1: softmax over the sentences (dim=-1).")
        raise Incorrect("the weights are off: beta = softmax over the real sentences of tanh(W s_i + b) . u_s.")
    if torch.allclose(document, _pool(*inputs, weighted=False)[0], atol=1e-6):
        raise Incorrect("document is the plain mean of the sentences: weight each sentence by its beta_i.")
    expect_close(document, right_document, "document",
                 hint="document = sum_i beta_i s_i, i.e. (weights[..., None] * sentences).sum(1).", atol=1e-6)
    return "That is the sentence level of Yang et al.'s hierarchical attention (attnlab's AttentionPool)."
