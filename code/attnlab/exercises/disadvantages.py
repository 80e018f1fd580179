"""Exercises of chapter 3, "The disadvantages, measured" (disadvantages.ipynb)."""

from __future__ import annotations

import torch

from ..attention import masked_softmax
from .answers import as_tensor, call, expect_close
from .core import exercise
from .declarations import function_exercise

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


@exercise("3.3-online-softmax")
def _(answer, wrong):
    n_queries, d_v = _VALUES.shape[1] + 1, _VALUES.shape[1]
    state, expected_state = _start(n_queries, d_v), _start(n_queries, d_v)
    names = ("the running maximum", "the normaliser", "the weighted sum")
    shapes = ((n_queries,), (n_queries,), (n_queries, d_v))
    for start in range(0, _SCORES.shape[1], _CHUNK):
        first, last = start, start + _CHUNK - 1
        scores, values = _SCORES[:, start:start + _CHUNK].clone(), _VALUES[start:start + _CHUNK].clone()
        result = call(answer, *(t.clone() for t in state), scores, values)
        if result is None:
            raise wrong("returned-none")
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise wrong("not-three")
        result = tuple(as_tensor(r, name, shape=shape) if name != names[0] else
                       _as_max(r, shape, wrong) for r, name, shape in zip(result, names, shapes))
        expected_state = _reference_step(*expected_state, scores, values)
        if not torch.allclose(result[0], expected_state[0]):
            raise wrong("wrong-max", first=first, last=last)
        unscaled = (state[1] + torch.exp(scores - expected_state[0][:, None]).sum(dim=1))
        if start > 0 and torch.allclose(result[1], unscaled) and not torch.allclose(unscaled, expected_state[1]):
            raise wrong("no-rescale")
        inverse = state[1] * torch.exp(expected_state[0] - state[0]).nan_to_num(0.0) + \
            torch.exp(scores - expected_state[0][:, None]).sum(dim=1)
        if start > 0 and torch.allclose(result[1], inverse) and not torch.allclose(inverse, expected_state[1]):
            raise wrong("upside-down")
        for r, e, name in zip(result[1:], expected_state[1:], names[1:]):
            if not torch.allclose(r, e, atol=1e-4, rtol=1e-4):
                raise wrong("sums-off", name=name, first=first, last=last, worst=(r - e).abs().max().item())
        state = result
    output = state[2] / state[1][:, None]
    expect_close(output, masked_softmax(_SCORES) @ _VALUES, "weighted / normaliser at the end")


def _as_max(value, shape, wrong):
    """The running maximum as a float64 tensor of ``shape``; unlike as_tensor, it may hold -inf."""
    if value is None:
        raise wrong("max-none")
    if not isinstance(value, torch.Tensor):
        value = torch.as_tensor(value, dtype=torch.float64)
    value = value.detach().to(torch.float64)
    if tuple(value.shape) != shape:
        raise wrong("max-shape", shape=tuple(value.shape), expected=shape)
    if torch.isnan(value).any():
        raise wrong("max-nan")
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
    "3.3-online-start", name="online_attention", cases=_ONLINE_CASES,
    reference=lambda scores, values, chunk: masked_softmax(scores) @ values,
    describe=lambda s, v, chunk: f"online_attention on scores down to {s.min().item():.0f}, chunk {chunk}",
    mistakes={"start-at-zero": lambda *case: online_attention(*case, start=0.0),
              "finite-start": lambda *case: online_attention(*case, start=-1e4)})


function_exercise(
    "3.3-total-variation", name="my_total_variation", cases=[(_P, _Q)],
    reference=lambda p, q: 0.5 * (p - q).abs().sum(dim=-1), describe=lambda p, q: "my_total_variation(p, q)",
    atol=1e-6,
    mistakes={"not-halved": lambda p, q: (p - q).abs().sum(dim=-1),
              "largest-difference": lambda p, q: (p - q).abs().amax(dim=-1),
              "no-abs": lambda p, q: (p - q).sum(dim=-1),
              "no-abs-halved": lambda p, q: 0.5 * (p - q).sum(dim=-1),
              "squared": lambda p, q: 0.5 * ((p - q) ** 2).sum(dim=-1)})


