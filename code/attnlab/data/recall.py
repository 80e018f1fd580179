"""Key–value recall: the task of chapter 1's "The bottleneck" section.

A sequence shows ``n_pairs`` (key, value) token pairs, then a query marker and one of the keys;
the target is the value that was paired with that key::

    k7 v2  k3 v9  k12 v2  ?  k3     ->  target v9

Keys within one sequence are distinct; values are drawn with replacement. Sequences of
different lengths are *left*-padded with ``PAD`` so that the last position is always the query
key (a recurrent model's final state has just read it).

Token ids: 0 = PAD, 1 = QUERY marker, then ``n_keys`` key tokens, then ``n_values`` value tokens.
Targets are value indices in ``0 .. n_values - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from ..seeding import make_generator

__all__ = ["PAD", "QUERY", "RecallVocab", "make_recall", "describe", "pairs_back", "asked_pair_positions"]

PAD, QUERY = 0, 1


@dataclass(frozen=True)
class RecallVocab:
    """The token ids of the recall task: ``n_keys`` keys and ``n_values`` values."""
    n_keys: int = 40
    n_values: int = 10

    @property
    def size(self) -> int:
        """The number of token ids (PAD and QUERY included)."""
        return 2 + self.n_keys + self.n_values

    def key(self, i):
        return 2 + i

    def value(self, j):
        return 2 + self.n_keys + j

    def token_name(self, token: int) -> str:
        """A readable name: ``"-"`` (pad), ``"?"`` (query marker), ``"k3"``, ``"v7"``."""
        token = int(token)
        if token == PAD:
            return "-"
        if token == QUERY:
            return "?"
        if token < 2 + self.n_keys:
            return f"k{token - 2}"
        return f"v{token - 2 - self.n_keys}"


def make_recall(n_examples: int, n_pairs: int | Sequence[int], vocab: RecallVocab = RecallVocab(), *,
                seed: int | torch.Generator = 0, pad_to: int | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Draw ``n_examples`` recall sequences.

    n_pairs: one number of pairs, or a list to draw from uniformly (mixed lengths).
    pad_to: pad every sequence as if it could hold this many pairs (default: the largest n_pairs),
    so that test sets of one length match a model trained on mixed lengths.
    Returns ``(tokens, lengths, targets)``: tokens (n_examples, 2 * max_pairs + 2) long, left-padded;
    lengths (n_examples,) the number of pairs of each sequence; targets (n_examples,) value indices.
    Introduced in section "The bottleneck" (chapter 1).
    """
    choices = [n_pairs] if isinstance(n_pairs, int) else list(n_pairs)
    if n_examples < 1:
        raise ValueError(f"n_examples must be at least 1, got {n_examples}")
    if not choices or any(not isinstance(n, int) or n < 1 for n in choices):
        raise ValueError(f"n_pairs must be a positive int or a list of them, got {n_pairs!r}")
    if max(choices) > vocab.n_keys or (pad_to or 0) > vocab.n_keys:
        raise ValueError(f"n_pairs={max(choices)} (pad_to={pad_to}) needs that many distinct keys, but the "
                         f"vocabulary has n_keys={vocab.n_keys}")
    generator = make_generator(seed)
    max_pairs = max(choices) if pad_to is None else pad_to
    if max_pairs < max(choices):
        raise ValueError(f"pad_to={pad_to} is smaller than the largest n_pairs={max(choices)}")
    length = 2 * max_pairs + 2
    lengths = torch.tensor(choices)[torch.randint(len(choices), (n_examples,), generator=generator)]
    # Distinct keys per row: the first max_pairs entries of a random permutation of the keys.
    keys = torch.rand(n_examples, vocab.n_keys, generator=generator).argsort(dim=1)[:, :max_pairs]
    values = torch.randint(vocab.n_values, (n_examples, max_pairs), generator=generator)
    asked = (torch.rand(n_examples, generator=generator) * lengths).long()  # which pair is asked
    tokens = torch.full((n_examples, length), PAD, dtype=torch.long)
    pairs = torch.stack([vocab.key(keys), vocab.value(values)], dim=2).reshape(n_examples, 2 * max_pairs)
    positions = torch.arange(2 * max_pairs)
    # Row i keeps its first lengths[i] pairs, placed at the right end before "? key".
    start = 2 * (max_pairs - lengths)
    shifted = positions[None, :] - start[:, None]
    keep = shifted >= 0
    tokens[:, :-2][keep] = pairs.gather(1, shifted.clamp(min=0))[keep]
    rows = torch.arange(n_examples)
    tokens[:, -2] = QUERY
    tokens[:, -1] = vocab.key(keys[rows, asked])
    return tokens, lengths, values[rows, asked]


def describe(tokens: torch.Tensor, vocab: RecallVocab = RecallVocab()) -> str:
    """One sequence as readable text, e.g. ``"k7 v2 k3 v9 ? k3"`` (pads left out)."""
    return " ".join(vocab.token_name(t) for t in tokens.tolist() if t != PAD)


def pairs_back(tokens: torch.Tensor) -> torch.Tensor:
    """For each sequence, how far back the asked pair is: 1 = the last pair before ``?``, 2 = the one
    before it, ... tokens: (batch, seq_len) as made by :func:`make_recall`; returns (batch,) long."""
    if not torch.is_tensor(tokens) or tokens.dim() != 2 or tokens.shape[1] < 4:
        raise ValueError("tokens must be a (batch, seq_len) tensor made by make_recall")
    body = tokens[:, :-2]
    hits = body == tokens[:, -1:]
    if not hits.any(dim=1).all():
        raise ValueError("some sequence does not contain its asked key")
    position = hits.float().argmax(dim=1)             # index of the asked key in the body
    return (body.shape[1] - position) // 2


def asked_pair_positions(tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the asked pair sits: ``(key_positions, value_positions)``, each (batch,) long.

    tokens: (batch, seq_len) as made by :func:`make_recall`. Positions index the whole sequence,
    so ``tokens[i, key_positions[i]]`` is the asked key and the next position holds its value
    (the target). Used in chapter 1 ("What the attention read-out looks at").
    """
    value_positions = tokens.shape[1] - 2 - 2 * pairs_back(tokens) + 1
    return value_positions - 1, value_positions
