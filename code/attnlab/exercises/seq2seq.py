"""Exercises of chapter 6, "Sequence to sequence with attention" (seq2seq.ipynb)."""

from __future__ import annotations

import torch

from ..decoding import edit_distance
from .core import Incorrect, _none_message, as_number, as_tensor, call, exercise, expect_close

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


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _as_pair(result):
    if result is None:
        raise Incorrect(_none_message("your function's result"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect(f"your function should return a pair (weights, context), but it returned "
                        f"{type(result).__name__}{'' if not isinstance(result, (tuple, list)) else f' of length {len(result)}'}.")
    return (as_tensor(result[0], "your weights", shape=(_BATCH, _N_SOURCE)),
            as_tensor(result[1], "your context", shape=(_BATCH, _D)))


@exercise("6.3-additive-attention-step", "One step of Bahdanau's additive attention")
def _(answer):
    weights, context = _as_pair(call(answer, _S_PREV.clone(), _STATES.clone(), _MASK.clone(), _W.clone(),
                                     _U.clone(), _V.clone()))
    expected_w, expected_c = _additive(_S_PREV, _STATES, _MASK, _W, _U, _V)
    if _close(weights, expected_w) and _close(context, expected_c):
        return ("The third sentence has two real tokens: all its weight sits on them, and the padding "
                "gets exactly 0.")
    if _close(weights, _additive(_S_PREV, _STATES, _MASK, _W, _U, _V, use_mask=False)[0]):
        raise Incorrect("padded positions get weight: fill their scores with -inf before the softmax "
                        "(scores.masked_fill(~mask, float('-inf'))).")
    if _close(weights, _additive(_S_PREV, _STATES, _MASK, _W, _U, _V, squash=lambda x: x)[0]):
        raise Incorrect("without the tanh, v^T (W s + U h_j) is linear: the W s part is the same for every "
                        "j and cancels in the softmax. Put tanh around W s + U h_j.")
    masked_scores = (torch.tanh(_S_PREV[:, None, :] @ _W.T + _STATES @ _U.T) @ _V) * _MASK
    if _close(weights, torch.softmax(masked_scores, -1)):
        raise Incorrect("multiplying the scores by the mask makes padded scores 0, not -inf: exp(0) = 1, so "
                        "padding still gets weight.")
    scores = (torch.tanh(_S_PREV[:, None, :] @ _W.T + _STATES @ _U.T) @ _V).masked_fill(~_MASK, float("-inf"))
    if _close(weights, torch.softmax(scores, 0)):
        raise Incorrect("your softmax runs over the batch; it must run over the source positions (dim=-1).")
    expect_close(weights, expected_w, "your weights",
                 hint="scores_j = v . tanh(W s_prev + U h_j); weights = softmax over j with padding at -inf.")
    expect_close(context, expected_c, "your context",
                 hint="the context is sum_j weights_j h_j: weight the encoder states, not the scores.")


def _per(prediction, reference):
    return edit_distance(prediction, reference) / len(reference)


_PAIRS = [(["K", "AE", "T"], ["K", "AE", "T"]),
          (["F", "OW", "N", "IY"], ["F", "OW", "N"]),            # one insertion
          (["N", "AY"], ["N", "AY", "T"]),                       # one deletion
          (["AH", "K", "W", "AY", "T"], ["K", "W", "AY", "T"]),  # a shift that Hamming counts 4 times
          (["S", "IH", "K", "S"], ["S", "EH", "K", "S", "T"]),   # a substitution and a deletion
          ([], ["AA", "R"])]


@exercise("6.3-phoneme-error-rate", "The phoneme error rate, by edit distance")
def _(answer):
    for prediction, reference in _PAIRS:
        value = as_number(call(answer, list(prediction), list(reference)), "your error rate")
        expected = _per(prediction, reference)
        if abs(value - expected) < 1e-9:
            continue
        hamming = (sum(p != r for p, r in zip(prediction, reference)) + abs(len(prediction) - len(reference)))
        if prediction and abs(value - hamming / len(reference)) < 1e-9:
            raise Incorrect(f"for {prediction} against {reference} you count position by position; one extra "
                            f"phoneme at the start then makes every later one wrong. Use the edit distance "
                            f"(fewest insertions, deletions and substitutions).")
        if prediction and abs(value - edit_distance(prediction, reference) / len(prediction)) < 1e-9:
            raise Incorrect("divide by the length of the reference, not of the prediction: otherwise a model "
                            "could lower its error rate by emitting more phonemes.")
        if abs(value - edit_distance(prediction, reference)) < 1e-9:
            raise Incorrect("that is the edit distance itself; divide it by the reference length.")
        raise Incorrect(f"for the prediction {prediction} and the reference {reference} the rate is "
                        f"{expected:.3g}, you returned {value:.3g}.")
    return "An empty prediction has rate 1; a long wrong one can exceed 1, since insertions count too."
