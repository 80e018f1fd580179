"""Exercises of chapter 4, "Internal and external information" (internal-external.ipynb)."""

from __future__ import annotations

from itertools import product

import torch

from .core import choice_exercise, function_exercise

# ---------------------------------------------------------------------------------------------
# 4.2-internal-external: classify five layers (declared as data; one message per wrong answer).

_EXPECTED = "IEEEI"
_WHY = {
    0: "(1) the encoder's queries are computed from the very sentence it attends over: internal.",
    1: "(2) the decoder state comes from the target side, outside the source sentence attended over: external.",
    2: "(3) the question is not part of the passage attended over: external.",
    3: "(4) a learned pooling vector is a parameter, not computed from the text: external (a constant one).",
    4: "(5) masked self-attention attends over the target prefix with queries from that same prefix: internal.",
}
_OPTIONS = ["".join(letters) for letters in product("IE", repeat=5)]


def _explain(option: str) -> str:
    wrong = [i for i in range(5) if option[i] != _EXPECTED[i]]
    return f"{len(wrong)} of 5 are not right yet. " + " ".join(_WHY[i] for i in wrong)


choice_exercise(
    "4.2-internal-external", "Internal or external?",
    options=_OPTIONS, answer=_EXPECTED,
    praise="Ask where the query comes from: from the text attended over (internal) or from elsewhere (external).",
    wrong={option: _explain(option) for option in _OPTIONS if option != _EXPECTED},
)

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
    "4.2-question-readout", "The external readout", name="question_readout", cases=[_readout_inputs()],
    reference=_readout, atol=1e-6,
    describe=lambda *case: "question_readout(question, states, mask, W_q, W_k)", parts=("read", "weights"),
    mistakes={lambda *case: _readout(*case, use_mask=False): "padding positions get weight: set their scores to "
              "-inf (masked_fill with ~mask) before the softmax, so only real words share the weight.",
              lambda *case: _readout(*case, scale=False): "the weights are those of unscaled scores: divide the dot "
              "products by sqrt(d).",
              lambda *case: _readout(*case, transpose=False): "the weights match W applied without transposing: "
              "compute the query as question @ W_q.T and the keys as states @ W_k.T.",
              lambda *case: _readout(*case, residual=False): "read is the weighted average alone: add the question "
              "itself, read = q + sum_j beta_j h_j."},
    hint="Score each word by (W_q q) . (W_k h_j) / sqrt(d), take a softmax over the real words, and read = question "
         "+ (weights[..., None] * states).sum(1).",
    praise="The query came from the question, not from the words it read: external attention.")
