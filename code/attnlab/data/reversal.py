"""The reversal task (chapter 7): read a sequence of symbols, write it backwards.

The warm-up task of the UvA deep-learning tutorial on Transformers. Tokens::

    0 = BOS (begin the output), 1..n_symbols = the symbols
    source (n_examples, length): random symbols; target (n_examples, length): source reversed
"""

from __future__ import annotations

import torch

from ..checks import require_positive_int
from ..seeding import make_generator

__all__ = ["BOS", "make_reversal"]

BOS = 0


def make_reversal(n_examples: int, length: int, n_symbols: int = 10, *, seed: int = 0):
    """``(source, target)``, both (n_examples, length) long; ``target = source.flip(1)``.
    Symbols are 1..n_symbols (0 is BOS); the draw is seeded with ``seed`` (shifted by ATTNLAB_SEED)."""
    require_positive_int("n_examples", n_examples)
    require_positive_int("length", length)
    require_positive_int("n_symbols", n_symbols)
    source = torch.randint(1, n_symbols + 1, (n_examples, length), generator=make_generator(seed))
    return source, source.flip(1)
