"""Copy the token at a fixed position: a task whose source position does not depend on the content.

Introduced in chapter 8 ("Q3: self-attention and the fully connected layer") as the foil of
associative recall (:mod:`attnlab.data.recall`), whose source position depends on the content.
A sequence of ``length`` tokens drawn uniformly from ``n_symbols`` symbols; the target is the
symbol at ``position``::

    3 7 1 [4] 9 0 2 ...   ->  target 4      (position = 3)
"""

from __future__ import annotations

import torch

from ..checks import require_non_negative_int, require_positive_int
from ..seeding import make_generator

__all__ = ["make_copy_position"]


def make_copy_position(n_examples: int, length: int, n_symbols: int = 10, position: int = 3, *,
                       seed: int | torch.Generator = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns ``(tokens, targets)``: tokens (n_examples, length) long in 0..n_symbols-1,
    targets (n_examples,) = ``tokens[:, position]``."""
    require_positive_int("n_examples", n_examples)
    require_positive_int("length", length)
    require_positive_int("n_symbols", n_symbols)
    require_non_negative_int("position", position)
    if position >= length:
        raise ValueError(f"position={position} must be smaller than length={length}")
    tokens = torch.randint(n_symbols, (n_examples, length), generator=make_generator(seed))
    return tokens, tokens[:, position].clone()
