"""The marked-digits reading task of chapter 4, section "By computation region: soft, hard, local".

A strip of ``n_slots`` real handwritten digits (scikit-learn's ``load_digits``: 8 x 8 images,
bundled offline). The strip is cut into ``n_steps`` blocks of equal width; in each block exactly
one digit carries a mark. At step ``t`` the model must read the class of the marked digit of
block ``t``: it has to find the right position (the mark, in the right block) and then read it.
The alignment is monotone (step t lives in block t), which is what local-m assumes.

Train and test strips draw their digits from disjoint halves of the 1,797 images.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import load_digits
from ..seeding import numpy_rng

__all__ = ["make_marked_digits"]


def make_marked_digits(n_samples: int, n_slots: int = 16, n_steps: int = 4, split: str = "train",
                       seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Strips of digits with one marked digit per block.

    Returns ``(images, marks, targets)``: images (n_samples, n_slots, 64) in [0, 1];
    marks (n_samples, n_slots), 1.0 on the marked slots; targets (n_samples, n_steps), the class
    of the marked digit of each block. ``split`` is "train" or "test" (disjoint digit images).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if n_slots % n_steps:
        raise ValueError(f"n_slots={n_slots} must be a multiple of n_steps={n_steps}")
    digits = load_digits()
    order = np.random.default_rng(1234).permutation(len(digits.target))
    half = len(order) // 2
    pool = order[:half] if split == "train" else order[half:]
    rng = numpy_rng(seed)
    chosen = pool[rng.integers(0, len(pool), size=(n_samples, n_slots))]
    images = torch.tensor(digits.data[chosen] / 16.0, dtype=torch.float32)
    labels = torch.tensor(digits.target[chosen])
    block = n_slots // n_steps
    marked = torch.tensor(np.arange(n_steps) * block + rng.integers(0, block, size=(n_samples, n_steps)))
    marks = torch.zeros(n_samples, n_slots).scatter_(1, marked, 1.0)
    return images, marks, labels.gather(1, marked)
