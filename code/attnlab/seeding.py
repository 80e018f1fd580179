"""Seeds, and the one switch that shifts them all (the robustness runs of ``make robustness``).

Every random draw of the book comes from a seed a notebook writes down: ``seed_everything(0)``,
``make_recall(..., seed=3)``, ``fit(..., seed=0)``. When the environment variable
``ATTNLAB_SEED`` holds an integer k, each of those seeds becomes seed + k, so the whole book can
be rerun on other draws without editing a notebook. Unset (or 0), nothing changes.
"""

from __future__ import annotations

import os
import random
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["seed_shift", "shifted", "unshifted", "make_generator", "numpy_rng", "seed_everything"]

SEED_VARIABLE = "ATTNLAB_SEED"
_UNSHIFTED = [0]   # how many `unshifted()` blocks are open


def seed_shift() -> int:
    """The integer k in ``ATTNLAB_SEED`` (0 when it is unset or empty, or inside ``unshifted()``)."""
    text = os.environ.get(SEED_VARIABLE, "").strip()
    if not text or _UNSHIFTED[0]:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be an integer, got {text!r}") from None


def shifted(seed: int) -> int:
    """``seed`` plus the shift k of ``ATTNLAB_SEED``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    return int(seed) + seed_shift()


@contextmanager
def unshifted():
    """Inside this block every seed is the written one, whatever ``ATTNLAB_SEED`` says: the
    converged checkpoints (attnlab.experiments) and the data split they were trained on are fixed
    evidence, the same in every robustness run."""
    _UNSHIFTED[0] += 1
    try:
        yield
    finally:
        _UNSHIFTED[0] -= 1


def make_generator(seed: int | torch.Generator) -> torch.Generator:
    """A ``torch.Generator`` seeded with ``shifted(seed)``; a generator passed in is used as it is."""
    if isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(shifted(seed))


def numpy_rng(seed: int) -> np.random.Generator:
    """A NumPy generator seeded with ``shifted(seed)``."""
    return np.random.default_rng(shifted(seed))


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch with ``shifted(seed)``; return a generator seeded the same way."""
    seed = shifted(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
