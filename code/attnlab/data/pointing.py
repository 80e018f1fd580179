"""The pointing task of chapter 4, section "Score functions" (score-functions.ipynb).

Each example is ``n_keys`` random keys in R^d and a query made from one of them, the target:
``query = rotation @ keys[target] + noise * ε`` with ε standard normal. Without a rotation the
query lives in the keys' space ("same space"); with one, query and keys live in different
coordinate systems ("rotated"), as a decoder state and encoder states do. A model must point at
the target, i.e. output it as the arg-max of its scores.
"""

from __future__ import annotations

import torch

from ..checks import require_positive_int, require_shape, require_tensor
from ..seeding import make_generator

__all__ = ["make_pointing", "random_rotation"]


def random_rotation(d: int, generator: torch.Generator | None = None, seed: int = 0) -> torch.Tensor:
    """A random orthogonal matrix (d, d): the Q of the QR decomposition of a Gaussian matrix."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    generator = make_generator(seed) if generator is None else generator
    return torch.linalg.qr(torch.randn(d, d, generator=generator))[0]


def make_pointing(n_samples: int, n_keys: int = 10, d: int = 16, rotation: torch.Tensor | None = None,
                  noise: float = 0.5, generator: torch.Generator | None = None,
                  seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Returns ``(query, keys, target)``: query (n_samples, d), keys (n_samples, n_keys, d), float;
    target (n_samples,), long in 0..n_keys-1. ``rotation``: (d, d) or None. Randomness comes from
    ``generator`` when given (successive calls continue its stream), otherwise from a fresh
    generator seeded with ``seed`` (shifted by ``ATTNLAB_SEED``)."""
    for name, value in (("n_samples", n_samples), ("n_keys", n_keys), ("d", d)):
        require_positive_int(name, value)
    if rotation is not None:
        require_tensor("rotation", rotation, "(d, d) or None", dim=2)
        require_shape("rotation", rotation, (d, d), "(d, d) or None")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    generator = make_generator(seed) if generator is None else generator
    keys = torch.randn(n_samples, n_keys, d, generator=generator)
    target = torch.randint(0, n_keys, (n_samples,), generator=generator)
    query = keys[torch.arange(n_samples), target]
    if rotation is not None:
        query = query @ rotation.T
    return query + noise * torch.randn(n_samples, d, generator=generator), keys, target
