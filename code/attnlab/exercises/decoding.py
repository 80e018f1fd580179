"""Exercises of chapter 6, "Greedy decoding, beam search and exposure bias" (decoding.ipynb)."""

from __future__ import annotations

import torch

from .declarations import function_exercise

_g = torch.Generator().manual_seed(64)
_EOS = 2
_LOGITS = torch.randn(5, 7, generator=_g, dtype=torch.float64) * 2   # 5 phrases, vocabulary of 7
_LOGITS[1, _EOS] = _LOGITS[1].max() + 1.0                            # phrase 1 ends now
_LOGITS[3, _EOS] = _LOGITS[3].max() + 1.0                            # phrase 3 ended before, its argmax is <eos> again
_LOGITS[4, 5] = _LOGITS[4].max() + 1.0                               # phrase 4 goes on
_DONE = torch.tensor([False, False, True, True, False])              # phrases 2 and 3 have ended


def _greedy_step(logits, done, eos):
    tokens = logits.argmax(-1).masked_fill(done, 0)
    return tokens, done | (tokens == eos)


function_exercise(
    "6.4-greedy-step", name="greedy_step", cases=[(_LOGITS, _DONE, _EOS)], reference=_greedy_step,
    describe=lambda *case: "greedy_step(logits, done, eos)", parts=("tokens", "done"),
    mistakes={"no-padding": lambda logits, done, eos: (logits.argmax(-1), None),
              "eos-padded": lambda logits, done, eos: (
                  logits.argmax(-1).masked_fill(done | (logits.argmax(-1) == eos), 0), None),
              "argmax-over-batch": lambda logits, done, eos: (logits.argmax(0)[:len(done)], None),
              "logits-not-ids": lambda logits, done, eos: (logits.max(-1).values, None),
              "forgets-done": lambda *case: (_greedy_step(*case)[0], _greedy_step(*case)[0] == case[2])})


_SCORES = torch.tensor([-1.2, -1.5, -3.0], dtype=torch.float64)                         # 3 hypotheses
_gb = torch.Generator().manual_seed(63)           # the draws this exercise had in seq2seq.py, kept
for _shape in [(3, 5), (3, 6, 5), (4, 5), (4, 5), (4,)]:
    torch.randn(_shape, generator=_gb, dtype=torch.float64)
_LOG_PROBS = torch.log_softmax(torch.randn(3, 7, generator=_gb, dtype=torch.float64) * 2, -1)  # vocabulary of 7


def _beam_step(scores, log_probs, beam_size):
    total = (scores[:, None] + log_probs).reshape(-1)
    best, index = total.topk(beam_size)
    return best, index // log_probs.shape[1], index % log_probs.shape[1]


def _per_row(scores, log_probs, beam_size):
    """Each hypothesis's single best continuation, then the best beam_size of those."""
    best, token = log_probs.max(-1)
    new_scores, origin = (scores + best).topk(beam_size)
    return new_scores, origin, token[origin]


function_exercise(
    "6.4-beam-step", name="beam_step", cases=[(_SCORES, _LOG_PROBS, 3), (_SCORES, _LOG_PROBS, 2)],
    reference=_beam_step,
    describe=lambda scores, log_probs, beam_size: f"beam_step(scores, log_probs, beam_size={beam_size})",
    parts=("new_scores", "origins", "tokens"),
    mistakes={"token-scores-only": lambda s, lp, k: (None, *_beam_step(torch.zeros_like(s), lp, k)[1:]),
              "swapped": lambda *case: (_beam_step(*case)[0], _beam_step(*case)[2], _beam_step(*case)[1]),
              "worst-first": lambda *case: tuple(x.flip(0) for x in _beam_step(*case)),
              "per-hypothesis": lambda *case: (_per_row(*case)[0], None, None)})


def _length_penalty(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's length penalty (Wu et al. 2016): ((5 + |Y|) / 6) ** alpha."""
    return ((5 + lengths) / 6) ** alpha


_FINISHED = [(torch.tensor([-6.4, -6.6, -6.6, -14.8, -6.9, -11.3], dtype=torch.float64),
              torch.tensor([9.0, 12.0, 7.0, 29.0, 7.0, 23.0], dtype=torch.float64), 0.6),
             (torch.tensor([-4.0, -6.5, -12.0], dtype=torch.float64),
              torch.tensor([3.0, 9.0, 30.0], dtype=torch.float64), 1.0)]

function_exercise(
    "6.4-length-normalisation", name="best_hypothesis", cases=_FINISHED,
    reference=lambda s, lengths, a: (s / _length_penalty(lengths, a)).argmax().item(),
    describe=lambda s, lengths, a: f"best_hypothesis(scores, lengths, alpha={a})", atol=0.25, rtol=0.0,
    mistakes={"raw-scores": lambda s, lengths, a: s.argmax().item(),
              "divided-by-length": lambda s, lengths, a: (s / lengths).argmax().item(),
              "multiplied": lambda s, lengths, a: (s * _length_penalty(lengths, a)).argmax().item(),
              "lowest": lambda s, lengths, a: (s / _length_penalty(lengths, a)).argmin().item()})
