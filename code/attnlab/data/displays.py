"""Cluttered displays: find the digit with a given colour tag among many (chapter 1, "Information overload").

A display holds ``n_items`` handwritten digits (scikit-learn's bundled 8 x 8 digits, offline),
each marked with a distinct colour tag out of ``n_tags``. The question names one tag; the answer
is the class (0–9) of the digit that carries it. Every other digit is a distractor. Displays with
fewer items are padded; ``mask`` says which slots hold an item.
"""

from __future__ import annotations

from typing import Sequence

import torch
from ..seeding import make_generator

__all__ = ["load_digit_images", "make_displays"]

_CACHE: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}


def load_digit_images(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 digits as (images (n, 64) in [0, 1], labels (n,)); ``split`` is
    "train" (the first 1,200) or "test" (the other 597), so test displays show unseen digits."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if split not in _CACHE:
        from sklearn.datasets import load_digits
        digits = load_digits()
        images = torch.tensor(digits.data, dtype=torch.float32) / 16.0
        labels = torch.tensor(digits.target, dtype=torch.long)
        part = slice(0, 1200) if split == "train" else slice(1200, None)
        _CACHE[split] = (images[part], labels[part])
    return _CACHE[split]


def make_displays(n_examples: int, n_items: int | Sequence[int], *, n_tags: int = 16, split: str = "train",
                  seed: int | torch.Generator = 0, pad_to: int | None = None):
    """Draw ``n_examples`` displays.

    n_items: the number of digits per display, or a list to draw from uniformly.
    pad_to: the number of slots (default: the largest n_items), so that test sets of one size
    match a model trained on mixed sizes.
    Returns ``(images, tags, mask, asked, targets)``: images (n_examples, max_items, 64),
    tags (n_examples, max_items) long, mask (n_examples, max_items) bool (True = an item is there),
    asked (n_examples,) the tag in the question, targets (n_examples,) the digit class.
    """
    choices = [n_items] if isinstance(n_items, int) else list(n_items)
    if n_examples < 1:
        raise ValueError(f"n_examples must be at least 1, got {n_examples}")
    if not choices or any(not isinstance(n, int) or not 1 <= n <= n_tags for n in choices):
        raise ValueError(f"n_items must be an int (or list of ints) between 1 and n_tags={n_tags}, got {n_items!r}")
    generator = make_generator(seed)
    pool_images, pool_labels = load_digit_images(split)
    max_items = max(choices) if pad_to is None else pad_to
    if not max(choices) <= max_items <= n_tags:
        raise ValueError(f"pad_to={pad_to} must lie between the largest n_items={max(choices)} and n_tags={n_tags}")
    counts = torch.tensor(choices)[torch.randint(len(choices), (n_examples,), generator=generator)]
    picks = torch.randint(len(pool_images), (n_examples, max_items), generator=generator)
    tags = torch.rand(n_examples, n_tags, generator=generator).argsort(dim=1)[:, :max_items]
    mask = torch.arange(max_items)[None, :] < counts[:, None]
    which = (torch.rand(n_examples, generator=generator) * counts).long()
    rows = torch.arange(n_examples)
    images = pool_images[picks] * mask[..., None]
    return images, tags, mask, tags[rows, which], pool_labels[picks[rows, which]]
