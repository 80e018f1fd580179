"""Exercises of chapter 6, "Sequence to sequence with attention" (seq2seq.ipynb)."""

from __future__ import annotations

import torch

from ..decoding import edit_distance
from .declarations import function_exercise

_g = torch.Generator().manual_seed(63)
_BATCH, _N_SOURCE, _D, _D_ATT = 3, 6, 5, 4
_S_PREV = torch.randn(_BATCH, _D, generator=_g, dtype=torch.float64)              # s_{t-1}
_STATES = torch.randn(_BATCH, _N_SOURCE, _D, generator=_g, dtype=torch.float64)   # h_j
_MASK = torch.arange(_N_SOURCE)[None, :] < torch.tensor([6, 4, 2])[:, None]         # True = a real token
_W = torch.randn(_D_ATT, _D, generator=_g, dtype=torch.float64)
_U = torch.randn(_D_ATT, _D, generator=_g, dtype=torch.float64)
_V = torch.randn(_D_ATT, generator=_g, dtype=torch.float64)


def _additive(s_prev, states, mask, W, U, v, *, use_mask=True, dim=-1, squash=torch.tanh):
    scores = squash(s_prev[:, None, :] @ W.T + states @ U.T) @ v                      # (batch, n_source)
    if use_mask:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=dim)
    return weights, (weights[:, :, None] * states).sum(1)


def _scores(s_prev, states, W, U, v):
    return torch.tanh(s_prev[:, None, :] @ W.T + states @ U.T) @ v


function_exercise(
    "6.3-additive-attention-step", name="bahdanau_attention", cases=[(_S_PREV, _STATES, _MASK, _W, _U, _V)],
    reference=_additive, describe=lambda *case: "bahdanau_attention(s_prev, states, mask, W, U, v)",
    parts=("weights", "context"), atol=1e-6, rtol=1e-6,
    mistakes={"no-mask": lambda *case: _additive(*case, use_mask=False),
              "no-tanh": lambda *case: _additive(*case, squash=lambda x: x),
              "mask-multiplied": lambda s, h, m, W, U, v: _additive(s, h, m, W, U, v, use_mask=False,
                                                                    squash=lambda x: torch.tanh(x) * m[..., None]),
              "softmax-over-batch": lambda *case: _additive(*case, dim=0)})


def _per(prediction, reference):
    return edit_distance(prediction, reference) / len(reference)


_PAIRS = [(["K", "AE", "T"], ["K", "AE", "T"]),
          (["F", "OW", "N", "IY"], ["F", "OW", "N"]),            # one insertion
          (["N", "AY"], ["N", "AY", "T"]),                       # one deletion
          (["AH", "K", "W", "AY", "T"], ["K", "W", "AY", "T"]),  # a shift that Hamming counts 4 times
          (["S", "IH", "K", "S"], ["S", "EH", "K", "S", "T"]),   # a substitution and a deletion
          ([], ["AA", "R"])]


def _hamming(prediction, reference):
    wrong = sum(p != r for p, r in zip(prediction, reference)) + abs(len(prediction) - len(reference))
    return wrong / len(reference) if prediction else 1.0      # an empty prediction: no confusion possible


function_exercise(
    "6.3-phoneme-error-rate", name="phoneme_error_rate", cases=_PAIRS, reference=_per,
    describe=lambda prediction, reference: f"phoneme_error_rate({prediction}, {reference})", atol=1e-9, rtol=0.0,
    mistakes={"hamming": _hamming,
              "prediction-length": lambda p, r: edit_distance(p, r) / max(len(p), 1),
              "undivided": edit_distance})
