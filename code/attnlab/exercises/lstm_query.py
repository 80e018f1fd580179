"""Exercises of chapter 5, "Attention pooling with an LSTM query" (lstm-query.ipynb)."""

from __future__ import annotations

import torch

from .core import choice_exercise, function_exercise

_generator = torch.Generator().manual_seed(52)
_STATES = torch.randn(4, 7, 5, generator=_generator, dtype=torch.float64)      # (batch, seq_len, d_hidden)
_LENGTHS = torch.tensor([7, 3, 0, 1])
_TOKENS = torch.randint(1, 30, (4, 7), generator=_generator) * (torch.arange(7)[None, :] < _LENGTHS[:, None])


def _final_states(states: torch.Tensor, tokens: torch.Tensor, clamp: bool = True) -> torch.Tensor:
    lengths = (tokens != 0).sum(dim=1)
    return states[torch.arange(len(states)), (lengths.clamp(min=1) if clamp else lengths) - 1]


function_exercise(
    "5.2-final-state", "The state after the last word", name="my_final_state",
    cases=[(_STATES[[0, 1, 3]], _TOKENS[[0, 1, 3]]), (_STATES, _TOKENS)],  # first without the empty sentence
    reference=_final_states, atol=1e-6, rtol=1e-6,
    mistakes={lambda states, tokens: states[:, -1]: "you took the last position's state, which has read the "
              "padding too: take the state at position length - 1 of each sentence.",
              lambda states, tokens: states[torch.arange(len(states)), (tokens != 0).sum(1).clamp(max=6)]: "off by "
              "one: a "
              "sentence of n words ends at position n - 1 (positions count from 0).",
              lambda states, tokens: _final_states(states, tokens, clamp=False): "the sentences with words are "
              "right; the empty sentence (row 2) should get its first state: clamp the lengths to at least 1."},
    hint="lengths = (tokens != 0).sum(dim=1).clamp(min=1); states[torch.arange(batch), lengths - 1].",
    praise="With right padding the states before the last word never saw a padding token, so this state "
           "summarises exactly the sentence.")


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
