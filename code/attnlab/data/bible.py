"""Paraphrase pairs from two English translations of the Bible (chapter 5, "ABCNN on text pairs").

The file ``data/bible-kjv-web.tsv.xz`` (see ``data/README.md``; public domain) holds 31,095
verses aligned by reference, each in the King James Version (1769) and the World English Bible
(2015). A **true pair** is the two translations of one verse; a **negative** is a KJV verse with
the WEB text of another verse: either a *hard* negative, a verse of the same chapter (same topic,
same names), or an *easy* one, a verse drawn from anywhere else.

Chapters, not verses, are split into training and test: every fifth chapter (in the book's
order) is a test chapter, so no verse, and no chapter's vocabulary of names, of the test pairs was
seen in training. The split is fixed (it does not depend on the seed), and so is the vocabulary,
built from the training chapters only.
"""

from __future__ import annotations

import csv
import io
import lzma
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..paths import data_file
from ..seeding import numpy_rng

__all__ = ["PAD", "UNKNOWN", "Bible", "ParaphrasePairs", "tokenize", "load_bible", "bible_vocabulary",
           "make_paraphrase_pairs"]

PAD, UNKNOWN = "<pad>", "<unk>"
TEST_EVERY = 5  # every fifth chapter is a test chapter


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, letters only ("God’s" becomes ``god``, ``s``)."""
    return re.findall(r"[a-z]+", text.lower())


@dataclass(frozen=True)
class Bible:
    """The aligned verses. ``chapter_id[i]``: a running number of verse i's chapter (0, 1, ...)."""
    reference: list[str]
    chapter_id: np.ndarray
    kjv: list[str]
    web: list[str]

    def __len__(self) -> int:
        return len(self.kjv)

    def split(self, name: str) -> np.ndarray:
        """The verse indices of split ``name`` ("train" or "test")."""
        if name not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {name!r}")
        test = self.chapter_id % TEST_EVERY == TEST_EVERY - 1
        return np.flatnonzero(test if name == "test" else ~test)


@lru_cache(maxsize=1)
def load_bible() -> Bible:
    """All 31,095 verses of ``data/bible-kjv-web.tsv.xz`` (cached)."""
    with lzma.open(data_file("bible-kjv-web.tsv.xz"), "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read()), delimiter="\t", quoting=csv.QUOTE_NONE))
    chapters, chapter_id = {}, []
    for row in rows:
        chapter_id.append(chapters.setdefault((row["book"], row["chapter"]), len(chapters)))
    return Bible([f"{r['book']} {r['chapter']}:{r['verse']}" for r in rows], np.array(chapter_id),
                 [r["kjv"] for r in rows], [r["web"] for r in rows])


@lru_cache(maxsize=4)
def bible_vocabulary(max_len: int = 20, min_count: int = 3) -> tuple[str, ...]:
    """Words seen at least ``min_count`` times in the training chapters' first ``max_len`` tokens
    (both translations), after ``<pad>`` (id 0) and ``<unk>`` (id 1)."""
    bible = load_bible()
    counts = Counter()
    for i in bible.split("train"):
        counts.update(tokenize(bible.kjv[i])[:max_len])
        counts.update(tokenize(bible.web[i])[:max_len])
    return (PAD, UNKNOWN) + tuple(sorted(w for w, c in counts.items() if c >= min_count))


@dataclass
class ParaphrasePairs:
    """Encoded pairs. left: (n, max_len) KJV word ids, right: (n, max_len) WEB word ids (0 =
    padding, on the right); labels: (n,) 1 for the two translations of one verse, else 0;
    hard: (n,) True for a negative from the same chapter; left_verse, right_verse: verse indices."""
    left: torch.Tensor
    right: torch.Tensor
    labels: torch.Tensor
    hard: torch.Tensor
    left_verse: np.ndarray
    right_verse: np.ndarray
    vocabulary: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def words(self, side: str, i: int) -> list[str]:
        """The tokens of pair ``i``'s ``side`` ("left" or "right"), without padding."""
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        return [self.vocabulary[t] for t in getattr(self, side)[i].tolist() if t != 0]


def _encode(texts: list[str], index: dict[str, int], max_len: int) -> torch.Tensor:
    tokens = torch.zeros(len(texts), max_len, dtype=torch.long)
    for row, text in enumerate(texts):
        ids = [index.get(w, 1) for w in tokenize(text)[:max_len]]
        tokens[row, :len(ids)] = torch.tensor(ids, dtype=torch.long)
    return tokens


def make_paraphrase_pairs(n_pairs: int, *, split: str = "train", hard_fraction: float = 0.5,
                          max_len: int = 20, min_words: int = 5, seed: int = 0) -> ParaphrasePairs:
    """``n_pairs`` labelled (KJV, WEB) pairs of ``split``: half true pairs, half negatives.

    Each pair starts from a random verse of the split with at least ``min_words`` words in both
    translations; for a true pair its WEB text is the right side, for a negative the WEB text of
    another verse: of the same chapter with probability ``hard_fraction`` (a hard negative), else
    of any other chapter of the split. Verses are cut to their first ``max_len`` tokens and encoded
    with :func:`bible_vocabulary` (unknown words become ``<unk>``). Seeded by ``seed`` (shifted by
    ``ATTNLAB_SEED``).
    """
    if isinstance(n_pairs, bool) or not isinstance(n_pairs, int) or n_pairs < 2:
        raise ValueError(f"n_pairs must be an int of at least 2, got {n_pairs!r}")
    if not 0.0 <= hard_fraction <= 1.0:
        raise ValueError(f"hard_fraction must lie in [0, 1], got {hard_fraction!r}")
    bible = load_bible()
    verses = np.array([i for i in bible.split(split)
                       if min(len(tokenize(bible.kjv[i])), len(tokenize(bible.web[i]))) >= min_words])
    rng = numpy_rng(seed)
    labels = rng.permutation(np.arange(n_pairs) % 2)                 # half 1, half 0, shuffled
    left = rng.choice(verses, size=n_pairs, replace=n_pairs > len(verses))
    right, hard = left.copy(), np.zeros(n_pairs, dtype=bool)
    chapter = bible.chapter_id
    for row in np.flatnonzero(labels == 0):
        same = verses[(chapter[verses] == chapter[left[row]]) & (verses != left[row])]
        if len(same) and rng.random() < hard_fraction:
            right[row], hard[row] = rng.choice(same), True
        else:
            while chapter[right[row]] == chapter[left[row]]:
                right[row] = rng.choice(verses)
    vocabulary = bible_vocabulary(max_len)
    index = {w: i for i, w in enumerate(vocabulary)}
    return ParaphrasePairs(_encode([bible.kjv[i] for i in left], index, max_len),
                           _encode([bible.web[i] for i in right], index, max_len),
                           torch.tensor(labels, dtype=torch.long), torch.tensor(hard), left, right, vocabulary)
