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
