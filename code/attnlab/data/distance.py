"""One informative token at a chosen distance from the end (chapter 6, "Three sentence vectors").

``make_distance_task`` draws sequences of random distractor digits with one *symbol* among them;
the label is which symbol it is::

    3 1 4 B 5 9 2 6 5 3   ->  label 1 (B), at distance 6 from the end

The distance is the number of tokens after the symbol: 0 when the symbol is the last token,
``length - 1`` when it is the first. A reader of the whole sequence must keep one piece of
information for ``distance`` steps, which is what the notes say a recurrent network's last state
loses over long text. Token ids: 0 = PAD (never drawn), digits ``1 .. n_distractors``, symbols
``n_distractors + 1 .. n_distractors + n_symbols``; :func:`distance_vocab_size` gives the count.
"""

from __future__ import annotations

import torch

from ..seeding import make_generator

__all__ = ["make_distance_task", "distance_vocab_size", "distance_token_names"]


def distance_vocab_size(n_symbols: int = 2, n_distractors: int = 10) -> int:
    """The number of token ids: PAD, the distractor digits and the symbols."""
    return 1 + n_distractors + n_symbols


def distance_token_names(n_symbols: int = 2, n_distractors: int = 10) -> list[str]:
    """A printable name per token id: ``'·'`` for PAD, digits ``'0'..``, symbols ``'A'..``."""
    return ["·"] + [str(i) for i in range(n_distractors)] + [chr(ord("A") + i) for i in range(n_symbols)]


def make_distance_task(n_samples: int, length: int = 100, n_symbols: int = 2, n_distractors: int = 10,
                       max_distance: int | None = None,
                       seed: int | torch.Generator = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n_samples`` sequences with one symbol at a uniformly drawn distance from the end.

    Returns ``(tokens, labels, distances)``: tokens (n_samples, length) long; labels
    (n_samples,) long in ``0 .. n_symbols - 1``, which symbol the sequence holds; distances
    (n_samples,) long in ``0 .. max_distance`` (default ``length - 1``), the number of tokens
    after the symbol. Seeds go through :func:`attnlab.seeding.make_generator`.
    """
    for name, value, low in (("n_samples", n_samples, 1), ("length", length, 1),
                             ("n_symbols", n_symbols, 2), ("n_distractors", n_distractors, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    max_distance = length - 1 if max_distance is None else max_distance
    if not isinstance(max_distance, int) or not 0 <= max_distance < length:
        raise ValueError(f"max_distance must be an int in 0..{length - 1} (length - 1), got {max_distance!r}")
    generator = make_generator(seed)
    tokens = torch.randint(1, n_distractors + 1, (n_samples, length), generator=generator)
    labels = torch.randint(0, n_symbols, (n_samples,), generator=generator)
    distances = torch.randint(0, max_distance + 1, (n_samples,), generator=generator)
    tokens[torch.arange(n_samples), length - 1 - distances] = n_distractors + 1 + labels
    return tokens, labels, distances
