"""Rank correlation between two per-position signals (chapter 6, "Gates as attention").

:func:`rank_correlation` compares, sentence by sentence, two scores given to the same words (an
LSTM gate's opening and an attention weight): Spearman's rho, the Pearson correlation of the
ranks, over the positions a mask keeps. It is 1 when both order the words the same way, -1 when
they order them oppositely, near 0 when the orders are unrelated.
"""

from __future__ import annotations

import torch

from .checks import require_mask, require_tensor

__all__ = ["rank_correlation"]


def _ranks(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average ranks (1 = smallest) of each row's masked values; ties share their mean rank."""
    filled = values.masked_fill(~mask, float("inf"))                  # padding ranks last, ignored below
    below = (filled[:, None, :] < filled[:, :, None]).sum(-1)        # (batch, n): values strictly below
    equal = (filled[:, None, :] == filled[:, :, None]).sum(-1)       # (batch, n): ties, itself included
    return below + (equal + 1) / 2


def rank_correlation(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Spearman's rank correlation of ``a`` and ``b`` row by row, over the positions ``mask`` keeps.

    a, b: (batch, n) float; mask: (batch, n) bool (True = a word), default all True. Returns
    (batch,): one correlation per row, NaN where a row keeps fewer than two positions or either
    signal is constant there. Ties get their average rank, as in ``scipy.stats.spearmanr``.
    """
    require_tensor("a", a, "(batch, n)", dim=2)
    require_tensor("b", b, "(batch, n)", dim=2)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (batch, n), got {tuple(a.shape)} and {tuple(b.shape)}")
    if mask is None:
        mask = torch.ones(a.shape, dtype=torch.bool, device=a.device)
    require_mask("mask", mask, a.shape, "(batch, n)")
    a, b = a.double(), b.double()
    weight = mask.double()
    count = weight.sum(-1, keepdim=True)
    centred = []
    for values in (a, b):
        ranks = _ranks(values, mask)
        mean = (ranks * weight).sum(-1, keepdim=True) / count.clamp(min=1)
        centred.append((ranks - mean) * weight)
    numerator = (centred[0] * centred[1]).sum(-1)
    denominator = (centred[0].pow(2).sum(-1) * centred[1].pow(2).sum(-1)).sqrt()
    return torch.where(denominator > 0, numerator / denominator.clamp(min=1e-300), torch.full_like(numerator, float("nan")))
