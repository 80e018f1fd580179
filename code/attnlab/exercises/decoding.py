"""Exercises of chapter 6, "Greedy decoding, beam search and exposure bias" (decoding.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, _none_message, as_tensor, call, exercise, expect_close, function_exercise

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


@exercise("6.4-greedy-step", "One step of greedy decoding, with finished phrases")
def _(answer):
    result = call(answer, _LOGITS.clone(), _DONE.clone(), _EOS)
    if result is None:
        raise Incorrect(_none_message("your function's result"))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("your function should return a pair of tensors: (tokens, done).")
    tokens = as_tensor(result[0], "your tokens", shape=(5,))
    done = result[1]
    if isinstance(done, torch.Tensor) and done.dtype == torch.bool:
        done = done.to(torch.float64)                       # as_tensor takes numbers: True -> 1, False -> 0
    done = as_tensor(done, "your done", shape=(5,))
    expected_tokens, expected_done = _greedy_step(_LOGITS, _DONE, _EOS)
    if tokens.is_floating_point() and not torch.equal(tokens, tokens.round()):
        raise Incorrect("your tokens are not whole numbers: return the index of the largest logit "
                        "(argmax), not the logit or probability itself.")
    tokens, done = tokens.long(), done.bool()
    argmax = _LOGITS.argmax(-1)
    if torch.equal(tokens, _LOGITS.argmax(0)[:5]) and not torch.equal(tokens, argmax):
        raise Incorrect("your argmax runs over the batch; it must run over the vocabulary (dim=-1).")
    if torch.equal(tokens, argmax) and not torch.equal(argmax, expected_tokens):
        raise Incorrect("phrases that have already ended must emit padding (id 0), not a new token: "
                        "fill the argmax with 0 where done is True.")
    if torch.equal(tokens, argmax.masked_fill(_DONE | (argmax == _EOS), 0)):
        raise Incorrect("phrase 1 emits <eos> at this step, and that <eos> must be kept: mask with the "
                        "done of BEFORE this step, then update done.")
    if not torch.equal(tokens, expected_tokens):
        raise Incorrect(f"for these logits the tokens are {expected_tokens.tolist()}, you returned "
                        f"{tokens.tolist()}: take the argmax over the vocabulary, then 0 where done.")
    if torch.equal(done, tokens == _EOS):
        raise Incorrect("your done forgets the phrases that ended before this step: they emit padding "
                        "now, not <eos>. Keep them: done | (tokens == eos).")
    if not torch.equal(done, expected_done):
        raise Incorrect(f"your tokens are right, but done should be {expected_done.tolist()}: a phrase is "
                        f"done if it was before or emits <eos> now.")
    return ("Phrase 1 ends at this step and phrase 3's <eos> again would be a second end: it gets padding. "
            "The package's greedy_decode repeats this step until every phrase is done.")


_SCORES = torch.tensor([-1.2, -1.5, -3.0], dtype=torch.float64)                         # 3 hypotheses
_gb = torch.Generator().manual_seed(63)           # the draws this exercise had in seq2seq.py, kept
for _shape in [(3, 5), (3, 6, 5), (4, 5), (4, 5), (4,)]:
    torch.randn(_shape, generator=_gb, dtype=torch.float64)
_LOG_PROBS = torch.log_softmax(torch.randn(3, 7, generator=_gb, dtype=torch.float64) * 2, -1)  # vocabulary of 7


def _beam_step(scores, log_probs, beam_size):
    total = (scores[:, None] + log_probs).reshape(-1)
    best, index = total.topk(beam_size)
    return best, index // log_probs.shape[1], index % log_probs.shape[1]


@exercise("6.4-beam-step", "One expansion step of beam search")
def _(answer):
    for beam_size in (3, 2):
        result = call(answer, _SCORES.clone(), _LOG_PROBS.clone(), beam_size)
        if result is None:
            raise Incorrect(_none_message("your function's result"))
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Incorrect("your function should return three tensors: (new_scores, origins, tokens).")
        scores = as_tensor(result[0], "your new_scores", shape=(beam_size,))
        origins = as_tensor(result[1], "your origins", shape=(beam_size,))
        tokens = as_tensor(result[2], "your tokens", shape=(beam_size,))
        best, expected_origins, expected_tokens = _beam_step(_SCORES, _LOG_PROBS, beam_size)
        if (torch.allclose(scores, best) and torch.equal(origins.long(), expected_origins)
                and torch.equal(tokens.long(), expected_tokens)):
            continue
        alone = _beam_step(torch.zeros(3, dtype=torch.float64), _LOG_PROBS, beam_size)
        if torch.equal(origins.long(), alone[1]) and torch.equal(tokens.long(), alone[2]):
            raise Incorrect("you ranked the next tokens by their own log-probability. A hypothesis is scored "
                            "by its TOTAL log-probability: add each hypothesis's score to its row first.")
        per_row = (_SCORES + _LOG_PROBS.max(-1).values).topk(beam_size).values
        if torch.allclose(scores, per_row) and not torch.allclose(per_row, best):
            raise Incorrect("you kept each hypothesis's single best continuation. Two continuations of the same "
                            "hypothesis may both belong in the beam: take the top beam_size over all "
                            "hypotheses × tokens at once (flatten, then topk).")
        if torch.allclose(scores, best) and torch.equal(origins.long(), expected_tokens):
            raise Incorrect("your origins and tokens are swapped: with the flat index i over (hypothesis, token), "
                            "origin = i // vocabulary size and token = i % vocabulary size.")
        if not torch.allclose(scores, best) and torch.allclose(scores.sort(descending=True).values, best):
            raise Incorrect("the right hypotheses, but not best first: sort the new beam by score, "
                            "highest first (topk does).")
        expect_close(scores, best, "your new_scores",
                     hint="total = scores[:, None] + log_probs; keep the beam_size largest entries of total.")
        raise Incorrect("your new_scores are right, but origins or tokens are not: the flat index i of "
                        "total.reshape(-1) gives origin = i // vocabulary size, token = i % vocabulary size.")
    return ("Hypothesis 0's two best continuations both survive; the third hypothesis drops out, "
            "though its best token alone is likely.")


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
