"""Exercises of chapter 1, "Information overload" (overload.ipynb)."""

from __future__ import annotations

import torch
from torch import nn

from .core import Incorrect, as_number, as_tensor, call, exercise, expect_close

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


def early_fusion_expected() -> torch.Tensor:
    return _masked_mean(_encode(_ITEMS, _QUESTION), _MASK).double()


@exercise("1.3-early-fusion", "A summary of the set made for one question")
def _(answer):
    name = "early_fusion_summary(encoder, items, question, mask)"
    raw = call(answer, _ENCODER, _ITEMS.clone(), _QUESTION.clone(), _MASK.clone(), name="early_fusion_summary")
    if torch.is_tensor(raw) and raw.shape == (3, 4, _D):
        raise Incorrect("You returned one vector per item, shape (batch, n_items, d). Average them over the "
                        "items (the present ones only) into one summary per display.")
    summary = as_tensor(raw, name, shape=(3, _D))
    expected = early_fusion_expected()
    encoded = _encode(_ITEMS, _QUESTION).double()
    if torch.allclose(summary, encoded.mean(1), atol=1e-4):
        raise Incorrect("You averaged over every slot, the empty ones included. Average only the items "
                        "where the mask is True: divide the masked sum by the number of items.")
    if torch.allclose(summary, (encoded * _MASK[..., None]).sum(1), atol=1e-4):
        raise Incorrect("That is the masked sum. The summary is the average: divide by the number of items "
                        "present in each display.")
    with torch.no_grad():
        mean_first = _ENCODER(torch.cat([_masked_mean(_ITEMS, _MASK), _QUESTION], -1)).double()
    if torch.allclose(summary, mean_first, atol=1e-4):
        raise Incorrect("You averaged the items first and then encoded the average with the question. In "
                        "early fusion the question meets every item BEFORE the average: encode each "
                        "(item, question) pair, then average the encodings.")
    expect_close(summary, expected, name,
                 hint="Concatenate the question to every item (expand it to (batch, n_items, d_question)), "
                      "encode, then average the present items.")
    return ("One summary per question: the encoder can keep what this question needs and drop the rest "
            "before the average.")


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


@exercise("1.3-question-cost", "The cost of one more question")
def _(answer):
    results = {}
    for readout in ("mean", "early", "attention"):
        for n, d_item, d in _CASES:
            value = as_number(call(answer, readout, n, d_item, d, name="question_cost"),
                              f"question_cost({readout!r}, {n}, {d_item}, {d})")
            results[readout, n, d_item, d] = value
    def same(readout, formula):
        return all(abs(results[readout, n, di, d] - formula(n, di, d)) < 0.5 for n, di, d in _CASES)
    if not same("mean", lambda n, di, d: 0):
        if same("mean", lambda n, di, d: n * d):
            raise Incorrect("Late fusion's average does not depend on the question: it was computed when the "
                            "display was first read, so one more question costs nothing before the answer "
                            "network.")
        raise Incorrect("Look at late fusion ('mean') again: neither the item encodings nor their average "
                        "depend on the question, so a new question reuses them.")
    if not same("attention", lambda n, di, d: 2 * n * d):
        if same("attention", lambda n, di, d: 2 * n * d + n * d * d):
            raise Incorrect("The keys W_k x_i do not depend on the question: they were computed once with the "
                            "items. A new question needs only its n scores and the weighted average.")
        if same("attention", lambda n, di, d: n * d):
            raise Incorrect("Attention for a new question needs the n scores (d each) AND the weighted average "
                            "of the n item vectors (d each).")
        raise Incorrect("For attention, count the n dot products of width d (the scores) and the weighted "
                        "average of n vectors of width d.")
    if not same("early", lambda n, di, d: n * ((di + 2 * d) * 2 * d + 2 * d * d) + n * d):
        if same("early", lambda n, di, d: n * ((di + d) * 2 * d + 2 * d * d) + n * d):
            raise Incorrect("Early fusion's encoder reads the item, its tag embedding AND the question: its "
                            "first layer has d_item + 2 * d_model inputs.")
        if same("early", lambda n, di, d: n * ((di + 2 * d) * 2 * d + 2 * d * d)):
            raise Incorrect("Almost: add the average of the n encodings (n * d_model).")
        if same("early", lambda n, di, d: (di + 2 * d) * 2 * d + 2 * d * d + n * d):
            raise Incorrect("Every one of the n items must be encoded again with the new question, not one.")
        raise Incorrect("For early fusion, count the encoder on every item (first layer (d_item + 2 d) x 2d, "
                        "second 2d x d), then the average of n vectors of width d.")
    return ("Early fusion pays for the whole encoder on every item for every question; attention pays "
            "2 n d, with the items encoded once.")
