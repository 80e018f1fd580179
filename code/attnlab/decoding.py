"""Decoding a sequence-to-sequence model, and scoring what it decodes (chapter 6, "Sequence to
sequence with attention").

A model here is anything with ``encode(source) -> memory``, ``initial_state(memory) -> state``
and ``step(memory, state, previous) -> (logits, weights, state)``: the recurrent
:class:`attnlab.models.seq2seq.Seq2Seq` and the Transformer
:class:`attnlab.models.seq2seq_transformer.PaddedSeq2SeqTransformer`. Memory and state are
tensors with the batch first, tuples or lists of them, or objects with ``select(rows)`` that
return their rows ``rows`` (the Transformer's :class:`~attnlab.models.encoder_decoder.KVCache`):
beam search reorders them with :func:`select_rows`.

- :func:`greedy_decode`: free-running, each step feeds back its own arg-max token.
- :func:`beam_search`: keeps the ``beam_size`` best partial outputs by total log-probability;
  ``beam_size=1`` is greedy decoding. :func:`sequence_log_prob` scores a given output the same
  way, so a search can be checked against exhaustive enumeration.
- :func:`edit_distance`, :func:`error_rates`: the phoneme error rate (edit distance over the
  reference length) and the word (phrase) error rate (the fraction not exactly right).
"""

from __future__ import annotations

import functools

import torch

from .checks import require_non_negative, require_positive_int, require_tokens
from .train import evaluation_mode

__all__ = ["greedy_decode", "length_penalty", "beam_search", "sequence_log_prob", "select_rows", "teacher_forced_accuracy",
           "edit_distance", "error_rates", "strip", "decode_errors"]


def _inference(function):
    """``function(model, ...)`` run without gradients and in evaluation mode; the model is left
    in the mode it came in."""
    @functools.wraps(function)
    def run(model, *args, **kwargs):
        with torch.no_grad(), evaluation_mode(model):
            return function(model, *args, **kwargs)
    return run


def select_rows(structure, rows: torch.Tensor):
    """Rows ``rows`` (along the batch, the first dimension) of a decoder's memory or state: a
    tensor, None, a tuple (NamedTuples included) or list of them, or an object with
    ``select(rows)``."""
    if structure is None:
        return None
    if torch.is_tensor(structure):
        return structure[rows]
    if hasattr(structure, "select"):
        return structure.select(rows)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):        # a NamedTuple
        return type(structure)(*(select_rows(x, rows) for x in structure))
    if isinstance(structure, (tuple, list)):
        return type(structure)(select_rows(x, rows) for x in structure)
    raise TypeError(f"cannot select rows of a {type(structure).__name__}: a decoder's memory and "
                    f"state must be tensors, tuples or lists of them, or objects with select(rows)")


@_inference
def greedy_decode(model, source: torch.Tensor, *, bos: int, eos: int | None, max_len: int):
    """Free-running greedy decoding. source: (batch, n_source) -> (tokens (batch, n_steps) without
    <bos>, padded with 0 after <eos>; weights (batch, n_steps, n_source) or None). With
    ``eos=None`` (a task of fixed output length) it always runs ``max_len`` steps."""
    require_tokens("source", source, "(batch, n_source)")
    require_positive_int("max_len", max_len)
    memory = model.encode(source)
    state = model.initial_state(memory)
    previous = torch.full((source.shape[0],), bos, dtype=torch.long, device=source.device)
    done = torch.zeros_like(previous, dtype=torch.bool)
    tokens, weights = [], []
    for _ in range(max_len):
        logits, step_weights, state = model.step(memory, state, previous)
        previous = logits.argmax(-1).masked_fill(done, 0)
        tokens.append(previous)
        weights.append(step_weights)
        if eos is not None:
            done |= previous == eos
        if bool(done.all()):
            break
    stacked = None if weights[0] is None else torch.stack(weights, 1)
    return torch.stack(tokens, 1), stacked


def length_penalty(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's length penalty (Wu et al. 2016), ``((5 + length) / 6) ** alpha``: a finished
    hypothesis is ranked by its total log-probability divided by it (alpha = 0: no normalisation)."""
    return ((5 + lengths) / 6) ** alpha


@_inference
def beam_search(model, source: torch.Tensor, *, beam_size: int, bos: int, eos: int, max_len: int,
                alpha: float = 0.0, return_scores: bool = False):
    """Beam search, all sentences of the batch at once. source: (batch, n_source) -> the best
    output per sentence, tokens (batch, n_steps) without <bos>, padded with 0 after <eos>; with
    ``return_scores``, also its total log-probability (batch,).

    Hypotheses are kept by their total log-probability; the output is the one of the final beam
    with the best total divided by :func:`length_penalty` (its length counts its <eos>; alpha = 0,
    the default, divides by 1, so the output is the likeliest of the beam). A hypothesis
    that has emitted <eos> is finished: it keeps its score and emits padding. A beam at least as
    wide as the number of possible outputs keeps every one of them, so it finds the most likely
    output (tests/test_decoding.py checks this against enumeration); a narrower beam may not, and
    widening a beam does not always raise the score it finds.
    """
    require_tokens("source", source, "(batch, n_source)")
    require_positive_int("beam_size", beam_size)
    require_positive_int("max_len", max_len)
    require_non_negative("alpha", alpha)
    batch, k = source.shape[0], beam_size
    memory = model.encode(source)
    flat = torch.arange(batch, device=source.device).repeat_interleave(k)     # (batch*k,) sentence of each beam
    memory = select_rows(memory, flat)
    state = model.initial_state(memory)
    scores = torch.full((batch, k), float("-inf"), device=source.device)
    scores[:, 0] = 0.0                                                         # one live hypothesis at first
    previous = torch.full((batch * k,), bos, dtype=torch.long, device=source.device)
    done = torch.zeros(batch * k, dtype=torch.bool, device=source.device)
    history = torch.zeros(batch * k, 0, dtype=torch.long, device=source.device)
    for _ in range(max_len):
        logits, _, state = model.step(memory, state, previous)
        log_probs = torch.log_softmax(logits.float(), -1)                     # (batch*k, vocab)
        finished = torch.full_like(log_probs, float("-inf"))
        finished[:, 0] = 0.0                                                   # a finished beam only pads, for free
        log_probs = torch.where(done[:, None], finished, log_probs)
        vocab = log_probs.shape[-1]
        total = (scores.view(-1, 1) + log_probs).view(batch, k * vocab)
        scores, best = total.topk(k, dim=-1)                                   # (batch, k), sorted
        origin = (best // vocab + torch.arange(batch, device=source.device)[:, None] * k).view(-1)
        previous = (best % vocab).view(-1)
        history = torch.cat([history[origin], previous[:, None]], 1)
        state = select_rows(state, origin)
        done = done[origin] | (previous == eos)
        if bool(done.all()):
            break
    history, rows = history.view(batch, k, -1), torch.arange(batch, device=source.device)
    ends = history == eos
    lengths = torch.where(ends.any(-1), ends.float().argmax(-1) + 1, history.shape[-1])   # (batch, k)
    pick = (scores / length_penalty(lengths.to(scores.dtype), alpha)).argmax(-1)           # 0 when alpha = 0
    best = history[rows, pick]
    return (best, scores[rows, pick]) if return_scores else best


@_inference
def sequence_log_prob(model, source: torch.Tensor, outputs: torch.Tensor, *, bos: int,
                      eos: int) -> torch.Tensor:
    """The total log-probability the model gives each output, as :func:`beam_search` scores it:
    source (batch, n_source), outputs (batch, n_steps) without <bos> -> (batch,). Tokens after
    the first <eos> must be padding (0) and cost nothing."""
    require_tokens("source", source, "(batch, n_source)")
    require_tokens("outputs", outputs, "(batch, n_steps)")
    memory = model.encode(source)
    state = model.initial_state(memory)
    previous = torch.full((source.shape[0],), bos, dtype=torch.long, device=source.device)
    done = torch.zeros_like(previous, dtype=torch.bool)
    total = torch.zeros(source.shape[0], device=source.device)
    for t in range(outputs.shape[1]):
        token = outputs[:, t]
        if bool((done & (token != 0)).any()):
            raise ValueError(f"outputs has a token other than padding (0) after <eos> at step {t}")
        logits, _, state = model.step(memory, state, previous)
        step = torch.log_softmax(logits.float(), -1).gather(1, token[:, None])[:, 0]
        total = total + torch.where(done, torch.zeros_like(step), step)
        done = done | (token == eos)
        previous = token
    return total


@_inference
def teacher_forced_accuracy(model, source: torch.Tensor, target: torch.Tensor, *, pad: int = 0,
                            batch_size: int = 512) -> torch.Tensor:
    """Per example (n,): the fraction of target tokens (its <eos> included) whose arg-max
    prediction is right when the decoder reads the reference prefix (teacher forcing).
    source (n, n_source); target (n, n_target) starting with <bos>, padded with ``pad``."""
    require_tokens("source", source, "(n, n_source)")
    require_tokens("target", target, "(n, n_target)")
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(source), batch_size):
        src, tgt = source[i:i + batch_size].to(device), target[i:i + batch_size].to(device)
        t_in, t_out = tgt[:, :-1], tgt[:, 1:]
        keep = t_out != pad
        right = (model(src, t_in).argmax(-1) == t_out) & keep
        out.append((right.sum(1) / keep.sum(1)).float().cpu())
    return torch.cat(out)


def strip(tokens, *, eos: int) -> list[int]:
    """The ids of one output before its first <eos>, without padding (0)."""
    out = []
    for t in (tokens.tolist() if torch.is_tensor(tokens) else tokens):
        if t == eos:
            break
        if t != 0:
            out.append(int(t))
    return out


def edit_distance(prediction, reference) -> int:
    """The Levenshtein distance: the fewest insertions, deletions and substitutions that turn
    ``prediction`` into ``reference`` (two sequences)."""
    previous = list(range(len(reference) + 1))
    for i, p in enumerate(prediction, 1):
        current = [i]
        for j, r in enumerate(reference, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (p != r)))
        previous = current
    return previous[-1]


def error_rates(predictions, references) -> tuple[torch.Tensor, torch.Tensor]:
    """Per example: (phoneme error rate = edit distance / reference length, phrase error = 0 or 1),
    two float tensors (n,). ``predictions``, ``references``: lists of id (or symbol) sequences."""
    if len(predictions) != len(references):
        raise ValueError(f"predictions and references must have the same length, got "
                         f"{len(predictions)} and {len(references)}")
    per = [edit_distance(p, r) / max(len(r), 1) for p, r in zip(predictions, references)]
    wrong = [float(list(p) != list(r)) for p, r in zip(predictions, references)]
    return torch.tensor(per), torch.tensor(wrong)


def decode_errors(model, source: torch.Tensor, target: torch.Tensor, *, bos: int, eos: int,
                  beam_size: int = 1, alpha: float = 0.0, extra_steps: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Free-running decoding of ``source`` (greedy, or beam search when ``beam_size > 1``, with the
    length penalty ``alpha``) scored
    against ``target`` (batch, n_target; starting with <bos>): per example (phoneme error rate,
    phrase error), as :func:`error_rates`."""
    max_len = target.shape[1] + extra_steps
    if beam_size == 1:
        outputs = greedy_decode(model, source, bos=bos, eos=eos, max_len=max_len)[0]
    else:
        outputs = beam_search(model, source, beam_size=beam_size, bos=bos, eos=eos, max_len=max_len, alpha=alpha)
    predictions = [strip(row, eos=eos) for row in outputs.cpu()]
    references = [strip(row[1:], eos=eos) for row in target.cpu()]
    return error_rates(predictions, references)
