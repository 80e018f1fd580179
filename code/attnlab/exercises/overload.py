"""Exercises of chapter 1, "Information overload" (overload.ipynb)."""

from __future__ import annotations

import torch
from torch import nn

from .declarations import function_exercise

# ---------------------------------------------------------------------------------------------
# 1.3-early-fusion: the summary of a set made for one question.

_generator = torch.Generator().manual_seed(31)
_D_ITEM, _D_QUESTION, _D = 5, 3, 4
_ENCODER = nn.Sequential(nn.Linear(_D_ITEM + _D_QUESTION, 6), nn.ReLU(), nn.Linear(6, _D))
with torch.no_grad():
    for _parameter in _ENCODER.parameters():
        _parameter.copy_(torch.randn(_parameter.shape, generator=_generator))
_ITEMS = torch.randn(3, 4, _D_ITEM, generator=_generator)            # (batch, n_items, d_item)
_QUESTION = torch.randn(3, _D_QUESTION, generator=_generator)        # (batch, d_question)
_MASK = torch.tensor([[True, True, True, True], [True, True, False, False], [True, False, False, False]])


def _encode(items, question):
    fused = torch.cat([items, question.unsqueeze(1).expand(-1, items.shape[1], -1)], dim=-1)
    with torch.no_grad():
        return _ENCODER(fused)                                           # (batch, n_items, d)


def _masked_mean(encoded, mask):
    weights = mask.float() / mask.float().sum(1, keepdim=True)
    return (weights.unsqueeze(-1) * encoded).sum(1)


def _early_fusion(encoder, items, question, mask):
    return _masked_mean(_encode(items, question), mask)


def _mean_first(encoder, items, question, mask):
    with torch.no_grad():
        return encoder(torch.cat([_masked_mean(items, mask), question], -1))


function_exercise(
    "1.3-early-fusion", name="early_fusion_summary", cases=[(_ENCODER, _ITEMS, _QUESTION, _MASK)],
    reference=_early_fusion, describe=lambda *case: "early_fusion_summary(encoder, items, question, mask)",
    mistakes={"empty-slots": lambda e, items, q, m: _encode(items, q).mean(1),
              "sum": lambda e, items, q, m: (_encode(items, q) * m[..., None]).sum(1),
              "mean-first": _mean_first},
    shapes={(3, 4, 4): "per-item"})


# ---------------------------------------------------------------------------------------------
# 1.3-question-cost: multiply-adds for one more question about a display already read.

def question_cost(readout: str, n_items: int, d_item: int, d_model: int) -> int:
    """Multiply-adds that one more question adds, for TaggedSetClassifier's three read-outs (the
    answer network, the same for all three, left out)."""
    d = d_model
    if readout == "mean":
        return 0
    if readout == "early":
        return n_items * ((d_item + 2 * d) * 2 * d + 2 * d * d) + n_items * d
    if readout == "attention":
        return n_items * d + n_items * d
    raise ValueError(f"readout must be 'mean', 'early' or 'attention', got {readout!r}")


_CASES = [(16, 64, 32), (4, 64, 32), (1, 10, 8), (12, 20, 16)]


def _only(readout: str, formula):
    """A mistake in one read-out's count (the others counted right)."""
    return lambda r, n, d_item, d: formula(n, d_item, d) if r == readout else question_cost(r, n, d_item, d)


function_exercise(
    "1.3-question-cost", name="question_cost",
    cases=[(readout, *case) for readout in ("mean", "attention", "early") for case in _CASES],
    reference=question_cost, describe=lambda r, n, d_item, d: f"question_cost({r!r}, {n}, {d_item}, {d})",
    atol=0.25, rtol=0.0,
    mistakes={"mean-recomputed": _only("mean", lambda n, di, d: n * d),
              "keys-recomputed": _only("attention", lambda n, di, d: 2 * n * d + n * d * d),
              "scores-only": _only("attention", lambda n, di, d: n * d),
              "no-tag": _only("early", lambda n, di, d: n * ((di + d) * 2 * d + 2 * d * d) + n * d),
              "no-average": _only("early", lambda n, di, d: n * ((di + 2 * d) * 2 * d + 2 * d * d)),
              "one-item": _only("early", lambda n, di, d: (di + 2 * d) * 2 * d + 2 * d * d + n * d)})
