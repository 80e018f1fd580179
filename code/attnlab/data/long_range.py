"""Long-range tasks: labels that depend on two tokens far apart (chapter 2, "A long-range task").

``make_first_last_match`` draws sequences whose first and last tokens are letters and whose
middle is random digits (distractors); the label says whether the two letters are the same::

    C 3 1 4 1 5 9 2 ... 6 C   ->  1 (match)
    C 3 1 4 1 5 9 2 ... 6 A   ->  0 (no match)

A model can tell the two letters from the digits by what they are, but it must bring together
two tokens ``length - 1`` positions apart. Half the sequences match.
Token ids: 0 = PAD (never drawn; kept free for padding), digits are ``1 .. n_distractors``,
letters are ``n_distractors + 1 .. n_distractors + n_symbols``; :func:`vocab_size` gives the
number of ids. The label is 1 for a match, 0 otherwise.
"""

from __future__ import annotations

import torch
from ..seeding import make_generator

__all__ = ["PAD", "vocab_size", "token_names", "make_first_last_match", "describe"]

PAD = 0


def vocab_size(n_symbols: int = 4, n_distractors: int = 10) -> int:
    """The number of token ids: PAD, the distractor digits and the letters."""
    return 1 + n_distractors + n_symbols


def token_names(n_symbols: int = 4, n_distractors: int = 10) -> list[str]:
    """A printable name per token id: ``'·'`` for PAD, digits ``'0'..``, letters ``'A'..``."""
    return ["·"] + [str(i) for i in range(n_distractors)] + [chr(ord("A") + i) for i in range(n_symbols)]


def make_first_last_match(n_samples: int, length: int, n_symbols: int = 4, n_distractors: int = 10,
                          seed: int | torch.Generator = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_samples`` sequences of ``length`` tokens and their match labels.

    Returns ``(tokens, labels)``: tokens (n_samples, length) long, letters at positions 0 and
    ``length - 1``, digits between; labels (n_samples,) long, 1 where ``tokens[:, 0] ==
    tokens[:, -1]``. Exactly half of the samples (rounded down) match.
    """
    for name, value, low in (("n_samples", n_samples, 1), ("length", length, 2),
                             ("n_symbols", n_symbols, 2), ("n_distractors", n_distractors, 1)):
        if not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    generator = make_generator(seed)
    tokens = torch.randint(1, n_distractors + 1, (n_samples, length), generator=generator)
    first = torch.randint(0, n_symbols, (n_samples,), generator=generator)
    labels = (torch.randperm(n_samples, generator=generator) < n_samples // 2).long()
    # A non-match shifts the first letter by 1 .. n_symbols - 1 (cyclically): never onto itself.
    shift = torch.randint(1, n_symbols, (n_samples,), generator=generator)
    last = torch.where(labels == 1, first, (first + shift) % n_symbols)
    tokens[:, 0], tokens[:, -1] = first + n_distractors + 1, last + n_distractors + 1
    return tokens, labels


def describe(tokens: torch.Tensor, label, names: list[str] | None = None) -> str:
    """One sequence as text, e.g. ``'C 3 1 4 ... 6 C -> match'``."""
    names = names or token_names()
    return f"{' '.join(names[int(t)] for t in tokens)} -> {'match' if int(label) == 1 else 'no match'}"
