"""Exercises of chapter 6, "Greedy decoding, beam search and exposure bias" (decoding.ipynb)."""

from __future__ import annotations

import torch

from .core import function_exercise

_g = torch.Generator().manual_seed(64)
_EOS = 2
_LOGITS = torch.randn(5, 7, generator=_g, dtype=torch.float64) * 2           # 5 phrases, vocabulary of 7
_LOGITS[1, _EOS] = _LOGITS[1].max() + 1.0                                      # phrase 1 ends now
_LOGITS[3, _EOS] = _LOGITS[3].max() + 1.0                                      # phrase 3 ended before, its argmax is <eos> again
_LOGITS[4, 5] = _LOGITS[4].max() + 1.0                                        # phrase 4 goes on
_DONE = torch.tensor([False, False, True, True, False])                       # phrases 2 and 3 have ended


def _greedy_step(logits, done, eos):
    tokens = logits.argmax(-1).masked_fill(done, 0)
    return tokens, done | (tokens == eos)


function_exercise(
    "6.4-greedy-step", "One step of greedy decoding, with finished phrases", name="greedy_step",
    cases=[(_LOGITS, _DONE, _EOS)], reference=_greedy_step, describe=lambda *case: "greedy_step(logits, done, eos)",
    parts=("tokens", "done"),
    mistakes={lambda logits, done, eos: (logits.argmax(-1), None): "phrases that have already ended must emit "
              "padding (id 0), not a new token: fill the argmax with 0 where done is True.",
              lambda logits, done, eos: (logits.argmax(-1).masked_fill(done | (logits.argmax(-1) == eos), 0), None):
              "phrase 1 emits <eos> at this step, and that <eos> must be kept: mask with the done of BEFORE this "
              "step, then update done.",
              lambda logits, done, eos: (logits.argmax(0)[:len(done)], None): "your argmax runs over the batch; it "
              "must run over the vocabulary (dim=-1).",
              lambda logits, done, eos: (logits.max(-1).values, None): "your tokens are logits, not token ids: "
              "return the index of the largest logit (argmax), not the logit itself.",
              lambda *case: (_greedy_step(*case)[0], _greedy_step(*case)[0] == case[2]): "your done forgets the "
              "phrases that ended before this step: they emit padding now, not <eos>. Keep them: done | (tokens == "
              "eos)."},
    hint="tokens: the argmax over the vocabulary, then 0 where done was True before this step; done: a phrase is "
         "done if it was before or emits <eos> now.",
    praise="Phrase 1 ends at this step and phrase 3's <eos> again would be a second end: it gets padding. The "
           "package's greedy_decode repeats this step until every phrase is done.")


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
    "6.4-beam-step", "One expansion step of beam search", name="beam_step",
    cases=[(_SCORES, _LOG_PROBS, 3), (_SCORES, _LOG_PROBS, 2)], reference=_beam_step,
    describe=lambda scores, log_probs, beam_size: f"beam_step(scores, log_probs, beam_size={beam_size})",
    parts=("new_scores", "origins", "tokens"),
    mistakes={lambda s, lp, k: (None, *_beam_step(torch.zeros_like(s), lp, k)[1:]): "you ranked the next tokens by "
              "their own log-probability. A hypothesis is scored by its TOTAL log-probability: add each hypothesis's "
              "score to its row first.",
              lambda *case: (_beam_step(*case)[0], _beam_step(*case)[2], _beam_step(*case)[1]): "your origins and "
              "tokens are swapped: with the flat index i over (hypothesis, token), origin = i // vocabulary size and "
              "token = i % vocabulary size.",
              lambda *case: tuple(x.flip(0) for x in _beam_step(*case)): "the right hypotheses, but not best first: "
              "sort the new beam by score, highest first (topk does).",
              lambda *case: (_per_row(*case)[0], None, None): "you kept each hypothesis's single best continuation. "
              "Two continuations of the same hypothesis may both belong in the beam: take the top beam_size over all "
              "hypotheses × tokens at once (flatten, then topk)."},
    hint="total = scores[:, None] + log_probs; keep the beam_size largest entries of total.reshape(-1), best first; "
         "the flat index i gives origin = i // vocabulary size, token = i % vocabulary size.",
    praise="Hypothesis 0's two best continuations both survive; the third hypothesis drops out, though its best token "
           "alone is likely.")


def _length_penalty(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's length penalty (Wu et al. 2016): ((5 + |Y|) / 6) ** alpha."""
    return ((5 + lengths) / 6) ** alpha


_FINISHED = [(torch.tensor([-6.4, -6.6, -6.6, -14.8, -6.9, -11.3], dtype=torch.float64),
              torch.tensor([9.0, 12.0, 7.0, 29.0, 7.0, 23.0], dtype=torch.float64), 0.6),
             (torch.tensor([-4.0, -6.5, -12.0], dtype=torch.float64),
              torch.tensor([3.0, 9.0, 30.0], dtype=torch.float64), 1.0)]

function_exercise(
    "6.4-length-normalisation", "Transfer: length normalisation for beam search", name="best_hypothesis",
    cases=_FINISHED, reference=lambda s, lengths, a: (s / _length_penalty(lengths, a)).argmax().item(),
    atol=0.25, rtol=0.0, describe=lambda s, lengths, a: f"best_hypothesis(scores, lengths, alpha={a})",
    mistakes={lambda s, lengths, a: s.argmax().item(): "for {call} you kept the raw total log-probability: it "
              "favours the shortest hypothesis, since every token adds a negative log-probability.",
              lambda s, lengths, a: (s / lengths).argmax().item(): "for {call} you divided by the length itself: "
              "that is the mean log-probability per token, which over-corrects; the penalty is ((5 + length) / "
              "6) ** alpha.",
              lambda s, lengths, a: (s * _length_penalty(lengths, a)).argmax().item(): "for {call} you multiplied "
              "by the penalty: that makes long hypotheses worse still. Divide the score by it.",
              lambda s, lengths, a: (s / _length_penalty(lengths, a)).argmin().item(): "for {call} you took the "
              "lowest normalised score: log-probabilities are negative, the best is the largest."},
    hint="Divide each finished hypothesis's total log-probability by ((5 + length) / 6) ** alpha and take the "
         "index of the largest.",
    praise="With the penalty, a longer hypothesis is no longer ruled out by its length alone; alpha = 0 gives back "
           "the raw ranking, and larger alphas favour length more.")
