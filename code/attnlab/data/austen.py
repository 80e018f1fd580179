"""Jane Austen's six novels (chapters 4 and 7).

The committed file ``data/austen-paragraphs.jsonl.xz`` (made by ``data/make_austen.py`` from
Debian's r-cran-janeaustenr; public-domain texts) holds 600 paragraphs per novel, each split into
sentences of lowercased words. Two views of it:

- :func:`load_austen`: paragraphs labelled by novel, as padded token tensors (chapter 4,
  "Hierarchical attention")::

      tokens: (n_paragraphs, max_sentences, max_words) int64, 0 = padding, 1 = unknown word
      labels: (n_paragraphs,) int64, the index of the novel in ``NOVELS``

- :func:`load_austen_characters`: one stream of characters for next-token prediction
  (chapter 7); paragraphs are joined with a newline, and the vocabulary is the set of
  characters seen (about 40).
"""

from __future__ import annotations

import json
import lzma
from collections import Counter
from dataclasses import dataclass

import torch

from ..paths import data_file
from ..seeding import make_generator

__all__ = ["NOVELS", "TITLES", "CHARACTER_NAMES", "AustenData", "read_paragraphs", "load_austen",
           "AustenCharacters", "load_austen_characters"]

NOVELS = ("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion")
TITLES = ("Sense and Sensibility", "Pride and Prejudice", "Mansfield Park", "Emma", "Northanger Abbey",
          "Persuasion")
PAD, UNK = "<pad>", "<unk>"
# Lower-case names of the main characters of the six novels (first names and surnames), used in
# hierarchical.ipynb to ask whether the attention weights go to names.
CHARACTER_NAMES = frozenset("""elinor marianne dashwood edward willoughby brandon jennings lucy elizabeth darcy
bennet jane bingley wickham collins lydia fanny edmund crawford bertram norris julia maria emma harriet
knightley weston elton woodhouse churchill catherine morland tilney thorpe isabella allen anne wentworth
elliot musgrove""".split())


def read_paragraphs() -> list[tuple[int, list[list[str]]]]:
    """Every committed paragraph as ``(novel index, sentences as lists of words)``, in file order."""
    with lzma.open(data_file("austen-paragraphs.jsonl.xz"), "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [(NOVELS.index(row["novel"]), [s.split() for s in row["sentences"]]) for row in rows]


@dataclass
class AustenData:
    """Train and test tensors ``(tokens, labels)`` and the vocabulary (``vocab[id]`` is the word)."""
    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    vocab: list[str]
    train_sentences: list[list[list[str]]]
    test_sentences: list[list[list[str]]]

    def words(self, tokens: torch.Tensor) -> list[list[str]]:
        """tokens: (n_sentences, n_words) of one paragraph -> its words, padding left out."""
        return [[self.vocab[i] for i in row.tolist() if i != 0] for row in tokens]


def _encode(sentences: list[list[str]], index: dict[str, int], max_sentences: int, max_words: int) -> torch.Tensor:
    tokens = torch.zeros(max_sentences, max_words, dtype=torch.long)
    for i, sentence in enumerate(sentences[:max_sentences]):
        ids = [index.get(word, 1) for word in sentence[:max_words]]
        tokens[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
    return tokens


def load_austen(max_sentences: int = 8, max_words: int = 24, vocab_size: int = 4000,
                test_fraction: float = 0.2, seed: int = 0) -> AustenData:
    """The paragraphs as padded tensors, split at random (``seed``) into train and test.

    Sentences past ``max_sentences`` and words past ``max_words`` are cut. The vocabulary is the
    ``vocab_size - 2`` most frequent words of the *training* paragraphs, plus padding (id 0) and
    unknown (id 1).
    """
    if max_sentences < 1 or max_words < 1 or vocab_size < 3:
        raise ValueError(f"max_sentences={max_sentences} and max_words={max_words} must be at least 1 "
                         f"and vocab_size={vocab_size} at least 3")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    paragraphs = read_paragraphs()
    order = torch.randperm(len(paragraphs), generator=make_generator(seed)).tolist()
    n_test = round(test_fraction * len(paragraphs))
    test_rows, train_rows = [paragraphs[i] for i in order[:n_test]], [paragraphs[i] for i in order[n_test:]]
    counts = Counter(word for _, sentences in train_rows for sentence in sentences for word in sentence)
    vocab = [PAD, UNK] + [word for word, _ in counts.most_common(vocab_size - 2)]
    index = {word: i for i, word in enumerate(vocab)}

    def tensors(rows):
        tokens = torch.stack([_encode(s, index, max_sentences, max_words) for _, s in rows])
        return tokens, torch.tensor([label for label, _ in rows], dtype=torch.long)

    return AustenData(tensors(train_rows), tensors(test_rows), vocab,
                      [s for _, s in train_rows], [s for _, s in test_rows])


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
