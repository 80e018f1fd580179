"""Exercises of chapter 4, "Internal and external information" (internal-external.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise

# 4.2-internal-external, classifying five layers, is a multiple choice: it lives in internal_external.yml.

# ---------------------------------------------------------------------------------------------
# 4.2-question-readout: the external readout of QuestionReader, on hidden inputs with padding.


def _readout_inputs():
    generator = torch.Generator().manual_seed(42)
    batch, n_words, d = 3, 5, 4
    question = torch.randn(batch, d, generator=generator, dtype=torch.float64)
    states = torch.randn(batch, n_words, d, generator=generator, dtype=torch.float64)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False], [True, True, False, False, False]])
    W_q = torch.randn(d, d, generator=generator, dtype=torch.float64)
    W_k = torch.randn(d, d, generator=generator, dtype=torch.float64)
    return question, states, mask, W_q, W_k


def _readout(question, states, mask, W_q, W_k, *, scale=True, use_mask=True, transpose=True, residual=True):
    query = question @ (W_q.T if transpose else W_q)
    keys = states @ (W_k.T if transpose else W_k)
    scores = (keys @ query.unsqueeze(-1)).squeeze(-1) / (states.shape[-1] ** 0.5 if scale else 1.0)
    if use_mask:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    read = (weights.unsqueeze(-1) * states).sum(1)
    return (question + read if residual else read), weights


function_exercise(
    "4.2-question-readout", name="question_readout", cases=[_readout_inputs()], reference=_readout,
    describe=lambda *case: "question_readout(question, states, mask, W_q, W_k)", parts=("read", "weights"),
    atol=1e-6,
    mistakes={"no-mask": lambda *case: _readout(*case, use_mask=False),
              "unscaled": lambda *case: _readout(*case, scale=False),
              "untransposed": lambda *case: _readout(*case, transpose=False),
              "no-residual": lambda *case: _readout(*case, residual=False)})
