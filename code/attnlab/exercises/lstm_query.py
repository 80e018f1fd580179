"""Exercises of chapter 5, "Attention pooling with an LSTM query" (lstm-query.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, choice_exercise, exercise, expect_close

_generator = torch.Generator().manual_seed(52)
_STATES = torch.randn(4, 7, 5, generator=_generator, dtype=torch.float64)      # (batch, seq_len, d_hidden)
_LENGTHS = torch.tensor([7, 3, 0, 1])
_TOKENS = torch.randint(1, 30, (4, 7), generator=_generator) * (torch.arange(7)[None, :] < _LENGTHS[:, None])


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


@exercise("5.2-final-state", "The state after the last word")
def _(answer):
    rows = torch.arange(4)
    expected = _STATES[rows, _LENGTHS.clamp(min=1) - 1]
    result = as_tensor(call(answer, _STATES.clone(), _TOKENS.clone()), "your final states", shape=(4, 5))
    if _close(result, expected):
        return ("With right padding the states before the last word never saw a padding token, so this state "
                "summarises exactly the sentence.")
    if _close(result, _STATES[:, -1]):
        raise Incorrect("you took the last position's state, which has read the padding too: take the state at "
                        "position length - 1 of each sentence.")
    if _close(result[[0, 1, 3]], _STATES[rows, _LENGTHS.clamp(max=6)][[0, 1, 3]]):
        raise Incorrect("off by one: a sentence of n words ends at position n - 1 (positions count from 0).")
    if _close(result[[0, 1, 3]], expected[[0, 1, 3]]):
        raise Incorrect("the sentences with words are right; the empty sentence (row 2) should get its first "
                        "state: clamp the lengths to at least 1.")
    expect_close(result, expected, "your final states",
                 hint="lengths = (tokens != 0).sum(dim=1).clamp(min=1); states[torch.arange(batch), lengths - 1].")
    return ""


choice_exercise(
    "5.2-query-control", "The control that isolates the query",
    options=["CNN + max pooling", "CNN + mean pooling", "LSTM alone", "CNN + attention pooling with a learned query"],
    answer="CNN + attention pooling with a learned query",
    praise="It differs in the query alone: one learned vector for every sentence instead of the LSTM's.",
    wrong={"CNN + max pooling": "it differs in two things at once: no attention at all, and no LSTM. A gain over "
                                "it could come from attention pooling itself, with any query.",
           "CNN + mean pooling": "it has no query at all, so a gain over it could come from attention pooling with "
                                 "any query, not from the LSTM's.",
           "LSTM alone": "it has no CNN features and no pooling: it differs in almost everything, and tells you "
                         "whether the CNN helps, not whether the LSTM's query does."})
