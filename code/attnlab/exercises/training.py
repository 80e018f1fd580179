"""Exercises of chapter 7, "Training a Transformer on a real task" (training.ipynb)."""

from __future__ import annotations

import torch

from .answers import call
from .core import exercise
from .declarations import function_exercise

_generator = torch.Generator().manual_seed(73)
_LENGTHS = torch.tensor([5, 1, 7, 3, 7, 2])        # hidden: every length from 1 to the full width 7
_N = 7


def _key_padding_mask(lengths, n, inclusive=False):
    positions = torch.arange(n)[None, :]
    return ((positions <= lengths[:, None]) if inclusive else (positions < lengths[:, None]))[:, None, :]


function_exercise(
    "7.3-key-padding-mask", name="key_padding_mask", cases=[(_LENGTHS, _N)], reference=_key_padding_mask,
    describe=lambda *case: "key_padding_mask(lengths, n)",
    mistakes={"inverted": lambda *case: ~_key_padding_mask(*case),
              "off-by-one": lambda *case: _key_padding_mask(*case, inclusive=True)},
    shapes={(len(_LENGTHS), _N): "no-query-axis",
            (len(_LENGTHS), _N, 1): "query-axis-last"})


_CASES = [(1, 1, 1, 1), (12, 9, 2, 2), (50, 47, 1, 1), (30, 31, 6, 6), (8, 20, 3, 1)]


def _steps(kind: str, n_source: int, n_target: int, encoder_layers: int, decoder_layers: int) -> dict:
    if kind == "recurrent":
        return {"training": n_source + n_target, "generation": n_target}
    return {"training": encoder_layers + decoder_layers, "generation": n_target}


@exercise("7.3-sequential-steps")
def _(answer, wrong):
    for kind in ("recurrent", "transformer"):
        for case in _CASES:
            expected = _steps(kind, *case)
            result = call(answer, kind, *case, name="sequential_steps")
            if not isinstance(result, dict) or set(result) != {"training", "generation"}:
                raise wrong("not-a-dict", result=result)
            for part in ("training", "generation"):
                value = result[part]
                if isinstance(value, torch.Tensor) and value.numel() == 1:
                    value = value.item()
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise wrong("not-a-number", part=part, type=type(value).__name__)
                if value == expected[part]:
                    continue
                n, m, enc, dec = case
                where = f"({kind}, n_source={n}, n_target={m}, encoder_layers={enc}, decoder_layers={dec})"
                if kind == "transformer" and part == "training" and value in (n + m, n * (enc + dec) + m):
                    raise wrong("counted-positions", where=where)
                if kind == "transformer" and part == "generation" and value in (1, enc + dec):
                    raise wrong("parallel-generation", where=where)
                if kind == "recurrent" and part == "training" and value in (max(n, m), m, n, n * m):
                    raise wrong("chains-not-added", where=where)
                if part == "generation" and value == n + m:
                    raise wrong("counted-encoder", where=where)
                raise wrong("other-count", where=where, part=part, value=value)


_DECODER_INPUT = ["<bos>", "K", "AE", "T", "_", "S"]   # m = 6 rows: <bos>, then 5 phonemes
_M, _N_SOURCE = len(_DECODER_INPUT), 9


def _alignment(weights: torch.Tensor) -> torch.Tensor:
    """The letter of each written phoneme decoder_input[t + 1]: row t, heads averaged."""
    return weights[:, :-1].mean(0).argmax(-1)


def _weights() -> torch.Tensor:
    """(heads=4, m=6, n_source=9) rows of softmax weights on which every mistake below gives
    another answer than the right one: the rows shifted by one, the first head alone, the heads'
    maximum and the smallest weight each pick other letters than the mean of the right rows."""
    while True:
        weights = torch.softmax(2.5 * torch.randn(4, _M, _N_SOURCE, generator=_generator,
                                                  dtype=torch.float64), -1)
        right = _alignment(weights)
        others = (weights[:, 1:].mean(0).argmax(-1), weights[0, :-1].argmax(-1),
                  weights[:, :-1].amax(0).argmax(-1), weights[:, :-1].mean(0).argmin(-1))
        if all(not torch.equal(other, right) for other in others):
            return weights


_WEIGHTS = _weights()


function_exercise(
    "7.3-hard-alignment", name="hard_alignment", cases=[(_WEIGHTS, list(_DECODER_INPUT))],
    reference=lambda weights, decoder_input: _alignment(weights),
    describe=lambda *case: "hard_alignment(weights, decoder_input)",
    mistakes={"all-rows": lambda w, d: w.mean(0).argmax(-1),
              "shifted-rows": lambda w, d: w[:, 1:].mean(0).argmax(-1),
              "max-not-argmax": lambda w, d: w[:, :-1].mean(0).max(-1).values,
              "first-head": lambda w, d: w[0, :-1].argmax(-1),
              "max-over-heads": lambda w, d: w[:, :-1].amax(0).argmax(-1),
              "argmin": lambda w, d: w[:, :-1].mean(0).argmin(-1)},
    shapes={(_M,): "one-per-row", (4, _M): "per-head", (4, _M - 1): "per-head",
            (4, _N_SOURCE): "wrong-axis", (_N_SOURCE,): "wrong-axis"})
