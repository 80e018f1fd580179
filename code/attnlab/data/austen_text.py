"""Jane Austen's paragraphs as one stream of characters, for next-token prediction (chapter 7).

Built from the same committed file as :mod:`attnlab.data.austen` (lower-cased words). Paragraphs
are joined with a newline; the vocabulary is the set of characters seen (about 40).
"""

from __future__ import annotations

import torch

from .austen import read_paragraphs

__all__ = ["AustenCharacters", "load_austen_characters"]


class AustenCharacters:
    """``train`` and ``test`` 1-d long tensors of character ids and the vocabulary ``chars``."""

    def __init__(self, train: torch.Tensor, test: torch.Tensor, chars: list[str]):
        self.train, self.test, self.chars = train, test, chars

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in (ids.tolist() if torch.is_tensor(ids) else ids))

    def encode(self, text: str) -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.chars)}
        return torch.tensor([index[c] for c in text], dtype=torch.long)


def load_austen_characters(n_train: int = 200_000, n_test: int = 20_000) -> AustenCharacters:
    """The first ``n_train`` characters of the paragraphs of every novel but the last (Persuasion),
    and the first ``n_test`` characters of Persuasion as held-out text (another novel: no leak)."""
    paragraphs = read_paragraphs()
    train_text = "\n".join(" ".join(" ".join(s) for s in sents) for novel, sents in paragraphs if novel != 5)
    test_text = "\n".join(" ".join(" ".join(s) for s in sents) for novel, sents in paragraphs if novel == 5)
    train_text, test_text = train_text[:n_train], test_text[:n_test]
    chars = sorted(set(train_text) | set(test_text))
    index = {c: i for i, c in enumerate(chars)}
    encode = lambda text: torch.tensor([index[c] for c in text], dtype=torch.long)  # noqa: E731
    return AustenCharacters(encode(train_text), encode(test_text), chars)
