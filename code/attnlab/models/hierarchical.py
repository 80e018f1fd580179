"""Single-layer and hierarchical attention classifiers (chapter 4, "Hierarchical attention").

Both read a document as padded token ids ``tokens: (batch, n_sentences, n_words)`` (0 = padding)
and share the same word encoder (an embedding and a width-3 convolution inside each sentence).
They differ only in how attention pools the words:

- :class:`FlatAttentionClassifier` (single-layer attention, 单层attention): one learned query
  attends once over all the words of the document.
- :class:`HierarchicalAttentionClassifier` (Yang et al. 2016, 多层attention): a word-level query
  builds one vector per sentence, then a sentence-level query builds the document vector.

Every pool is :class:`~attnlab.pooling.AttentionPooling` with Yang et al.'s ``"tanh"`` score.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..checks import require_tokens
from ..pooling import AttentionPooling

__all__ = ["WordEncoder", "FlatAttentionClassifier", "HierarchicalAttentionClassifier",
           "HierarchicalWeights"]


class HierarchicalWeights(NamedTuple):
    """The two levels of weights of :class:`HierarchicalAttentionClassifier`."""
    words: torch.Tensor       # (batch, n_sentences, n_words): each sentence's row sums to 1
    sentences: torch.Tensor   # (batch, n_sentences): sums to 1

    def document(self) -> torch.Tensor:
        """Each word's share of the document vector, beta_i * alpha_it: (batch, n_sentences, n_words)."""
        return self.sentences.unsqueeze(-1) * self.words


class WordEncoder(nn.Module):
    """Embedding plus a width-3 convolution within each sentence (a residual, so words keep their identity).

    forward(tokens: (batch, n_sentences, n_words)) -> (batch, n_sentences, n_words, d).
    """

    def __init__(self, vocab_size: int, d: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d, padding_idx=0)
        self.conv = nn.Conv1d(d, d, kernel_size=3, padding=1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        batch, n_sentences, n_words = tokens.shape
        embedded = self.embedding(tokens).view(batch * n_sentences, n_words, -1)
        context = torch.relu(self.conv(embedded.transpose(1, 2))).transpose(1, 2)
        return (embedded + context).view(batch, n_sentences, n_words, -1)


class FlatAttentionClassifier(nn.Module):
    """Single-layer attention: one query over all words. forward(tokens) -> logits (batch, n_classes);
    :meth:`attend` also gives the word weights, which sum to 1 over the whole document.
    """

    def __init__(self, vocab_size: int, n_classes: int, d: int = 32):
        super().__init__()
        self.encoder = WordEncoder(vocab_size, d)
        self.pool = AttentionPooling(d, score="tanh")
        self.classifier = nn.Linear(d, n_classes)

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens: (batch, n_sentences, n_words) -> (logits (batch, n_classes), word weights
        (batch, n_sentences, n_words), summing to 1 over the document), computed afresh."""
        require_tokens("tokens", tokens, "(batch, n_sentences, n_words)")
        batch, n_sentences, n_words = tokens.shape
        words = self.encoder(tokens).view(batch, n_sentences * n_words, -1)
        document, weights = self.pool.attend(words, (tokens != 0).view(batch, -1))
        return self.classifier(document), weights.view(batch, n_sentences, n_words)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]


class HierarchicalAttentionClassifier(nn.Module):
    """Word-level attention in each sentence, then sentence-level attention over the sentences.

    forward(tokens) -> logits (batch, n_classes); :meth:`attend` also gives the word weights
    (batch, n_sentences, n_words), each sentence's summing to 1, and the sentence weights
    (batch, n_sentences), summing to 1.
    """

    def __init__(self, vocab_size: int, n_classes: int, d: int = 32):
        super().__init__()
        self.encoder = WordEncoder(vocab_size, d)
        self.word_pool = AttentionPooling(d, score="tanh")
        self.sentence_pool = AttentionPooling(d, score="tanh")
        self.classifier = nn.Linear(d, n_classes)

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, HierarchicalWeights]:
        """tokens: (batch, n_sentences, n_words) -> (logits (batch, n_classes), :class:`HierarchicalWeights`),
        computed afresh."""
        require_tokens("tokens", tokens, "(batch, n_sentences, n_words)")
        word_mask = tokens != 0
        sentences, word_weights = self.word_pool.attend(self.encoder(tokens), word_mask)  # (batch, n_sentences, d)
        document, sentence_weights = self.sentence_pool.attend(sentences, word_mask.any(-1))
        return self.classifier(document), HierarchicalWeights(word_weights, sentence_weights)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]
