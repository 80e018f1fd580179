"""Exercises of chapter 3, "The disadvantages, measured" (disadvantages.ipynb)."""

from __future__ import annotations

import torch

from ..attention import masked_softmax
from .core import Incorrect, as_tensor, call, choice_exercise, exercise, expect_close, function_exercise

_generator = torch.Generator().manual_seed(33)
_SCORES = torch.randn(3, 12, generator=_generator, dtype=torch.float64) * 3     # (n_queries, n_keys)
_SCORES[:, 8:] += 4.0                                   # the largest scores come late: the maximum must move
_VALUES = torch.randn(12, 2, generator=_generator, dtype=torch.float64)          # (n_keys, d_v)
_CHUNK = 4


def _reference_step(running_max, normaliser, weighted, scores, values):
    new_max = torch.maximum(running_max, scores.amax(dim=1))
    rescale = torch.exp(running_max - new_max)
    p = torch.exp(scores - new_max[:, None])
    return new_max, normaliser * rescale + p.sum(dim=1), weighted * rescale[:, None] + p @ values


def _start(n_queries: int, d_v: int):
    return (torch.full((n_queries,), float("-inf"), dtype=torch.float64),
            torch.zeros(n_queries, dtype=torch.float64), torch.zeros(n_queries, d_v, dtype=torch.float64))


@exercise("3.3-online-softmax", "One step of online softmax")
def _(answer):
    n_queries, d_v = _VALUES.shape[1] + 1, _VALUES.shape[1]
    state, expected_state = _start(n_queries, d_v), _start(n_queries, d_v)
    names = ("the running maximum", "the normaliser", "the weighted sum")
    shapes = ((n_queries,), (n_queries,), (n_queries, d_v))
    for start in range(0, _SCORES.shape[1], _CHUNK):
        scores, values = _SCORES[:, start:start + _CHUNK].clone(), _VALUES[start:start + _CHUNK].clone()
        result = call(answer, *(t.clone() for t in state), scores, values)
        if result is None:
            raise Incorrect("what your step returned is None: make sure the function ends with "
                            "`return running_max, normaliser, weighted`.")
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Incorrect("your step should return three tensors: (running_max, normaliser, weighted).")
        result = tuple(as_tensor(r, name, shape=shape) if name != names[0] else
                       _as_max(r, shape) for r, name, shape in zip(result, names, shapes))
        expected_state = _reference_step(*expected_state, scores, values)
        if not torch.allclose(result[0], expected_state[0]):
            raise Incorrect(f"after the block of keys {start}..{start + _CHUNK - 1}, {names[0]} is wrong: it is "
                            f"the larger of the old maximum and the block's largest score, per query.")
        unscaled = (state[1] + torch.exp(scores - expected_state[0][:, None]).sum(dim=1))
        if start > 0 and torch.allclose(result[1], unscaled) and not torch.allclose(unscaled, expected_state[1]):
            raise Incorrect("the old normaliser and weighted sum were summed with exp(score - old max); when "
                            "the maximum moves, multiply them by exp(old max - new max) first.")
        inverse = state[1] * torch.exp(expected_state[0] - state[0]).nan_to_num(0.0) + \
            torch.exp(scores - expected_state[0][:, None]).sum(dim=1)
        if start > 0 and torch.allclose(result[1], inverse) and not torch.allclose(inverse, expected_state[1]):
            raise Incorrect("the rescaling factor is upside down: it is exp(old max - new max), at most 1.")
        for r, e, name in zip(result[1:], expected_state[1:], names[1:]):
            expect_close(r, e, f"{name} after the keys {start}..{start + _CHUNK - 1}",
                         hint="Rescale the old sums by exp(old max - new max), then add exp(score - new max) "
                              "(and, for the weighted sum, times the values).")
        state = result
    output = state[2] / state[1][:, None]
    expect_close(output, masked_softmax(_SCORES) @ _VALUES, "weighted / normaliser at the end")
    return "Read block by block, the final weighted / normaliser equals the softmax attention output."


def _as_max(value, shape):
    if value is None:
        raise Incorrect("the running maximum is None; did your function `return` all three tensors?")
    if not isinstance(value, torch.Tensor):
        value = torch.as_tensor(value, dtype=torch.float64)
    value = value.detach().to(torch.float64)
    if tuple(value.shape) != shape:
        raise Incorrect(f"the running maximum has shape {tuple(value.shape)}, but it should have shape {shape}.")
    if torch.isnan(value).any():
        raise Incorrect("the running maximum contains NaN.")
    return value


_P = torch.softmax(torch.randn(6, 4, generator=_generator, dtype=torch.float64) * 2, dim=1)
_Q = torch.softmax(torch.randn(6, 4, generator=_generator, dtype=torch.float64) * 2, dim=1)


def online_attention(scores: torch.Tensor, values: torch.Tensor, chunk: int, start: float = float("-inf")):
    """Softmax attention read block by block with the online softmax, the running maximum starting at
    ``start``: -inf is right; 0 (FlashAttention's issue 2082) or a finite stand-in for -inf
    (FlashInfer's issue 4267) zero or NaN a row whose scores all lie far below it."""
    n_queries, d_v = scores.shape[0], values.shape[1]
    running_max = torch.full((n_queries,), start, dtype=scores.dtype)
    normaliser, weighted = torch.zeros(n_queries, dtype=scores.dtype), torch.zeros(n_queries, d_v, dtype=scores.dtype)
    for begin in range(0, scores.shape[1], chunk):
        running_max, normaliser, weighted = _reference_step(running_max, normaliser, weighted,
                                                            scores[:, begin:begin + chunk], values[begin:begin + chunk])
    return weighted / normaliser[:, None]


_FAR = torch.tensor([[-5e4], [-2e3], [-2e3]], dtype=torch.float64)   # one row below -1e4, two above it
_ONLINE_CASES = [(_SCORES, _VALUES, 4), (_SCORES - 1000.0, _VALUES, 4), (_SCORES + _FAR, _VALUES, 3)]

function_exercise(
    "3.3-online-start", "Debug: an online softmax that loses a row", name="online_attention",
    cases=_ONLINE_CASES, reference=lambda scores, values, chunk: masked_softmax(scores) @ values,
    describe=lambda s, v, chunk: f"online_attention on scores down to {s.min().item():.0f}, chunk {chunk}",
    mistakes={lambda *case: online_attention(*case, start=0.0): "For {call} the result is the bug as it shipped: "
              "the running maximum starts at 0, every score lies far below it, exp(score - 0) underflows to 0, "
              "and the row becomes 0 / 0. Start the maximum at -inf, so the first block sets it.",
              lambda *case: online_attention(*case, start=-1e4): "For {call} a finite stand-in for -inf is not "
              "enough: scores below it underflow as before (FlashInfer's bug). Start the maximum at float('-inf')."},
    hint="Start the running maximum at float('-inf'): the first block then sets it to its own largest score, and "
         "exp(-inf - max) = 0 discards the empty sums.",
    praise="Any scores, however negative: the maximum always comes from the scores themselves.")


_NO_ABS = ("without the absolute value the differences cancel: both rows sum to 1, so sum(p - q) is always 0.")

function_exercise(
    "3.3-total-variation", "The total variation distance between two predictions", name="my_total_variation", cases=[(_P, _Q)],
    reference=lambda p, q: 0.5 * (p - q).abs().sum(dim=-1), atol=1e-6, describe=lambda p, q: "my_total_variation(p, q)",
    mistakes={lambda p, q: (p - q).abs().sum(dim=-1): "your distances are twice too large: the total variation "
              "distance is *half* the sum of |p - q|, so that it lies between 0 and 1.",
              lambda p, q: (p - q).abs().amax(dim=-1): "you took the largest |p_i - q_i|; the total variation "
              "distance sums over all the classes (and halves the sum). The two agree only with two classes.",
              lambda p, q: (p - q).sum(dim=-1): _NO_ABS,
              lambda p, q: 0.5 * (p - q).sum(dim=-1): _NO_ABS,
              lambda p, q: 0.5 * ((p - q) ** 2).sum(dim=-1): "you squared the differences; the total variation "
              "distance uses their absolute values."},
    hint="Compute 0.5 * |p - q| summed over the last dimension.",
    praise="Half the L1 distance: 0 for the same prediction, 1 for predictions with disjoint support.")


choice_exercise(
    "3.3-faithful", "Explain: faithful here, not there",
    options=["the values", "the score function", "the amount of training data"],
    answer="the values",
    praise="In the addressing reader each value is one token's embedding; in the GRU model each value is a "
           "state that summarises the whole prefix, so many states carry the answer.",
    wrong={"the score function": "both models score with a learned query against the items; swapping one "
                                 "score function for another would not make the items interchangeable.",
           "the amount of training data": "both models fit their tasks; what differs is what each averaged "
                                          "item holds."})
