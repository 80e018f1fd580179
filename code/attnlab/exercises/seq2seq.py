"""Exercises of chapter 6, "Sequence to sequence with attention" (seq2seq.ipynb)."""

from __future__ import annotations

import torch

from ..decoding import edit_distance
from .core import function_exercise

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
    "6.3-additive-attention-step", "Debug: attention that reads the padding", name="bahdanau_attention",
    cases=[(_S_PREV, _STATES, _MASK, _W, _U, _V)], reference=_additive, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "bahdanau_attention(s_prev, states, mask, W, U, v)", parts=("weights", "context"),
    mistakes={lambda *case: _additive(*case, use_mask=False): "padded positions get weight: fill their scores with "
              "-inf before the softmax (scores.masked_fill(~mask, float('-inf'))).",
              lambda *case: _additive(*case, squash=lambda x: x): "without the tanh, v^T (W s + U h_j) is linear: "
              "the W s part is the same for every j and cancels in the softmax. Put tanh around W s + U h_j.",
              lambda s, h, m, W, U, v: _additive(s, h, m, W, U, v, use_mask=False,
                                                            squash=lambda x: torch.tanh(x) * m[..., None]):
              "multiplying the scores by the mask makes padded scores 0, not -inf: exp(0) = 1, so padding still "
              "gets weight.",
              lambda *case: _additive(*case, dim=0): "your softmax runs over the batch; it must run over the source "
              "positions (dim=-1)."},
    hint="scores_j = v . tanh(W s_prev + U h_j); weights = softmax over j with padding at -inf; the context is "
         "sum_j weights_j h_j (weight the encoder states, not the scores).",
    praise="The third sentence has two real tokens: all its weight sits on them, and the padding gets exactly 0.")


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
    "6.3-phoneme-error-rate", "The phoneme error rate, by edit distance", name="phoneme_error_rate",
    cases=_PAIRS, reference=_per, atol=1e-9, rtol=0.0,
    describe=lambda prediction, reference: f"phoneme_error_rate({prediction}, {reference})",
    mistakes={_hamming: "for {call} you count position by position; one extra phoneme at the start then makes every "
              "later one wrong. Use the edit distance (fewest insertions, deletions and substitutions).",
              lambda p, r: edit_distance(p, r) / max(len(p), 1): "divide by the length of the reference, not of "
              "the prediction: otherwise a model could lower its error rate by emitting more phonemes.",
              edit_distance: "that is the edit distance itself; divide it by the reference length."},
    hint="The rate is the edit distance (fewest insertions, deletions and substitutions) over the reference's "
         "length.",
    praise="An empty prediction has rate 1; a long wrong one can exceed 1, since insertions count too.")
