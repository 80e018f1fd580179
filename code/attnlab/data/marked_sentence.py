"""The marked-sentence task of chapter 4, section "Hierarchical attention" (hierarchical.ipynb):
long documents whose label sits in one marked sentence, where the sentence level must win.

A document is ``n_sentences`` sentences of ``min_words`` to ``n_words`` words (padded with 0 to
``n_words``). Most words are fillers. Every sentence holds exactly one *keyword*, one of
``n_classes``, and every keyword occurs equally often in a document (``n_sentences /
n_classes`` times each). One sentence, chosen at random, also holds the *marker*; the label is
the keyword of that marked sentence. The marker stands at least three words from the keyword, so
that no window of three neighbouring words holds both.

So no clue ignores the sentences: counting the words of a document says nothing about its label
(every keyword occurs equally often, and there is always one marker), and neither does any
window of three neighbouring words (none holds both the marker and a keyword). A model must
find the marked sentence and read the keyword *of that sentence*: what the sentence level of a
hierarchical attention model does, and what one query over all the words, each seeing only its
neighbours, cannot do. This is the situation of Yang et al.'s reviews, where the one sentence
that states the verdict outweighs the rest, made exact.

Token ids: 0 padding, 1 the marker (:data:`MARKER`), 2 to ``n_classes + 1`` the keywords (class
c is id ``FIRST_KEYWORD + c``), then the fillers (:func:`vocab_size`).
"""

from __future__ import annotations

import torch

from ..checks import require_positive_int, require_tokens
from ..seeding import make_generator

__all__ = ["PAD", "MARKER", "FIRST_KEYWORD", "vocab_size", "make_marked_sentence", "marked_sentence"]

PAD, MARKER, FIRST_KEYWORD = 0, 1, 2
MIN_GAP = 3   # the marker stands at least this many words from its sentence's keyword: no
              # window of three words (a word and its two neighbours) holds both


def vocab_size(n_classes: int = 4, n_fillers: int = 1000) -> int:
    """The number of token ids: padding, the marker, the keywords and the fillers."""
    return FIRST_KEYWORD + require_positive_int("n_classes", n_classes) + require_positive_int("n_fillers", n_fillers)


def make_marked_sentence(n_samples: int, n_sentences: int = 16, n_words: int = 12, n_classes: int = 4,
                         n_fillers: int = 1000, min_words: int = 6, generator: torch.Generator | None = None,
                         seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Documents whose label is the keyword of their one marked sentence.

    Returns ``(tokens, targets)``: tokens (n_samples, n_sentences, n_words), long (0 = padding,
    each sentence ``min_words`` to ``n_words`` words long); targets (n_samples,), long in
    0..n_classes-1. ``n_sentences`` must be a multiple of ``n_classes`` (every keyword occurs
    equally often) and ``min_words`` at least 6 (room for the marker three words from the keyword).
    Randomness comes from ``generator`` when given (successive calls continue its stream),
    otherwise from a fresh generator seeded with ``seed``.
    """
    for name, value in (("n_samples", n_samples), ("n_sentences", n_sentences), ("n_words", n_words),
                        ("n_classes", n_classes), ("n_fillers", n_fillers), ("min_words", min_words)):
        require_positive_int(name, value)
    if n_sentences % n_classes:
        raise ValueError(f"n_sentences={n_sentences} must be a multiple of n_classes={n_classes}, so that "
                         "every keyword occurs equally often in a document")
    if not 2 * MIN_GAP <= min_words <= n_words:
        raise ValueError(f"min_words must lie between {2 * MIN_GAP} (room for the marker {MIN_GAP} words from "
                         f"the keyword) and n_words={n_words}, got {min_words}")
    generator = make_generator(seed) if generator is None else generator
    shape = (n_samples, n_sentences)
    lengths = torch.randint(min_words, n_words + 1, shape, generator=generator)
    tokens = FIRST_KEYWORD + n_classes + torch.randint(0, n_fillers, (*shape, n_words), generator=generator)
    classes = torch.rand(shape, generator=generator).argsort(-1) % n_classes   # each n_sentences / n_classes times
    keyword_at = (torch.rand(shape, generator=generator) * lengths).long()
    marked = torch.randint(0, n_sentences, (n_samples,), generator=generator)
    rows = torch.arange(n_samples)
    length, keyword = lengths[rows, marked], keyword_at[rows, marked]
    marker_at = keyword.clone()                  # too close: drawn below
    while True:   # redraw every marker that stands too close to its keyword
        close = (marker_at - keyword).abs() < MIN_GAP
        if not close.any():
            break
        marker_at[close] = (torch.rand(int(close.sum()), generator=generator) * length[close]).long()
    tokens.scatter_(2, keyword_at[..., None], (FIRST_KEYWORD + classes)[..., None])
    tokens[rows, marked, marker_at] = MARKER
    tokens[torch.arange(n_words) >= lengths[..., None]] = PAD
    return tokens, classes[rows, marked]


def marked_sentence(tokens: torch.Tensor) -> torch.Tensor:
    """The index of the sentence that holds the marker, per document: tokens (n, n_sentences,
    n_words) -> (n,), long."""
    require_tokens("tokens", tokens, "(n, n_sentences, n_words)")
    return (tokens == MARKER).any(-1).long().argmax(-1)
