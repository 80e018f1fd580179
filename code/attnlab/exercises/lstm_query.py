"""Exercises of chapter 5, "Attention pooling with an LSTM query" (lstm-query.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise

_generator = torch.Generator().manual_seed(52)
_STATES = torch.randn(4, 7, 5, generator=_generator, dtype=torch.float64)      # (batch, seq_len, d_hidden)
_LENGTHS = torch.tensor([7, 3, 0, 1])
_TOKENS = torch.randint(1, 30, (4, 7), generator=_generator) * (torch.arange(7)[None, :] < _LENGTHS[:, None])


def _final_states(states: torch.Tensor, tokens: torch.Tensor, clamp: bool = True) -> torch.Tensor:
    lengths = (tokens != 0).sum(dim=1)
    return states[torch.arange(len(states)), (lengths.clamp(min=1) if clamp else lengths) - 1]


function_exercise(
    "5.2-final-state", name="my_final_state", cases=[(_STATES[[0, 1, 3]], _TOKENS[[0, 1, 3]]), (_STATES, _TOKENS)],
    reference=_final_states, atol=1e-6, rtol=1e-6,
    mistakes={"last-position": lambda states, tokens: states[:, -1],
              "off-by-one": lambda states, tokens: states[torch.arange(len(states)),
                                                          (tokens != 0).sum(1).clamp(max=6)],
              "unclamped": lambda states, tokens: _final_states(states, tokens, clamp=False)})


