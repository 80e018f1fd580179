"""Exercises of chapter 7, "Training a Transformer on a real task" (training.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, call, exercise, function_exercise

_generator = torch.Generator().manual_seed(73)
_LENGTHS = torch.tensor([5, 1, 7, 3, 7, 2])        # hidden: every length from 1 to the full width 7
_N = 7


def _key_padding_mask(lengths, n, inclusive=False):
    positions = torch.arange(n)[None, :]
    return ((positions <= lengths[:, None]) if inclusive else (positions < lengths[:, None]))[:, None, :]


function_exercise(
    "7.3-key-padding-mask", "The source's key-padding mask from its lengths", name="key_padding_mask",
    cases=[(_LENGTHS, _N)], reference=_key_padding_mask, describe=lambda *case: "key_padding_mask(lengths, n)",
    shape_messages={(len(_LENGTHS), _N): f"your mask has shape {(len(_LENGTHS), _N)} = (batch, n_keys). As a key "
                    "mask it must broadcast over the queries: add the query axis, (batch, 1, n_keys).",
                    (len(_LENGTHS), _N, 1): "your mask has shape (batch, n_keys, 1): the 1 must stand for the "
                    "queries, (batch, 1, n_keys), so that each row of scores sees the same keys."},
    mistakes={lambda *case: ~_key_padding_mask(*case): "your mask is inverted: True must mark the real tokens (may "
              "attend). PyTorch's key_padding_mask is the other way round, True at padding.",
              lambda *case: _key_padding_mask(*case, inclusive=True): "off by one: position j is real when j < "
              "length (positions count from 0)."},
    hint="The first `length` positions of each row are True, the rest False: arange(n)[None, :] < lengths[:, None], "
         "then a query axis, [:, None, :].",
    praise="Every padded key gets weight exactly 0, in the encoder and in the cross-attention alike.")


_CASES = [(1, 1, 1, 1), (12, 9, 2, 2), (50, 47, 1, 1), (30, 31, 6, 6), (8, 20, 3, 1)]


def _steps(kind: str, n_source: int, n_target: int, encoder_layers: int, decoder_layers: int) -> dict:
    if kind == "recurrent":
        return {"training": n_source + n_target, "generation": n_target}
    return {"training": encoder_layers + decoder_layers, "generation": n_target}


@exercise("7.3-sequential-steps", "Count the sequential steps")
def _(answer):
    for kind in ("recurrent", "transformer"):
        for case in _CASES:
            expected = _steps(kind, *case)
            result = call(answer, kind, *case, name="sequential_steps")
            if not isinstance(result, dict) or set(result) != {"training", "generation"}:
                raise Incorrect('sequential_steps should return a dict with the keys "training" and '
                                f'"generation", but it returned {result!r}.')
            for key in ("training", "generation"):
                value = result[key]
                if isinstance(value, torch.Tensor) and value.numel() == 1:
                    value = value.item()
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise Incorrect(f'result["{key}"] should be a number, got {type(value).__name__}.')
                if value == expected[key]:
                    continue
                n, m, enc, dec = case
                where = f"({kind}, n_source={n}, n_target={m}, encoder_layers={enc}, decoder_layers={dec})"
                if kind == "transformer" and key == "training" and value in (n + m, n * (enc + dec) + m):
                    raise Incorrect(f"{where}: a Transformer layer computes every position at once, so "
                                    "a teacher-forced pass takes one step per layer, whatever the length.")
                if kind == "transformer" and key == "generation" and value in (1, enc + dec):
                    raise Incorrect(f"{where}: in generation the decoder feeds back its own output, so "
                                    "each new token waits for the one before it: one step per output token.")
                if kind == "recurrent" and key == "training" and value in (max(n, m), m, n, n * m):
                    raise Incorrect(f"{where}: the encoder's state at j needs its state at j-1 (n_source "
                                    "steps), and the decoder starts only once the encoder is done (n_target more).")
                if key == "generation" and value == n + m:
                    raise Incorrect(f"{where}: count the decoder's steps only; the encoder ran before.")
                raise Incorrect(f'{where}: result["{key}"] is {value}, not right yet.')
    return ("The recurrent model's chain grows with n_source + n_target; the Transformer's training pass "
            "does not grow with length at all. In generation both wait one step per output token.")


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
    "7.3-hard-alignment", "Read cross-attention into a hard alignment", name="hard_alignment",
    cases=[(_WEIGHTS, list(_DECODER_INPUT))], reference=lambda weights, decoder_input: _alignment(weights),
    describe=lambda *case: "hard_alignment(weights, decoder_input)",
    shape_messages={(_M,): f"your alignment has shape ({_M},): one entry per row. Return one letter per written "
                    f"phoneme, decoder_input[1:], shape (m - 1,) = ({_M - 1},).",
                    **dict.fromkeys([(4, _M), (4, _M - 1)], "your alignment has one row per head: average the heads "
                                    "(axis 0) first, then pick one letter per phoneme."),
                    **dict.fromkeys([(4, _N_SOURCE), (_N_SOURCE,)], "your alignment picks along the phoneme axis: "
                                    "for each row choose the letter (column) with the largest weight, argmax over "
                                    "the last axis.")},
    mistakes={lambda w, d: w.mean(0).argmax(-1): f"your alignment has one letter per row, {_M} in all; but the last "
              "row predicts what follows the last phoneme (<eos>), and <bos> is read, not written. Return one letter "
              f"per written phoneme, decoder_input[1:]: shape (m - 1,) = ({_M - 1},).",
              lambda w, d: w[:, 1:].mean(0).argmax(-1): "you paired each phoneme with the row on which it is read "
              "(row t + 1 for decoder_input[t + 1]); that row predicts the NEXT phoneme. The phoneme decoder_input[t + "
              "1] was written by the step that read decoder_input[t]: row t. Use rows 0 to m - 2.",
              lambda w, d: w[:, :-1].mean(0).max(-1).values: "your alignment should hold letter positions (integers), "
              "not weights: use argmax, not max.",
              lambda w, d: w[0, :-1].argmax(-1): "that is the first head's alignment; average the weights of all "
              "heads first.",
              lambda w, d: w[:, :-1].amax(0).argmax(-1): "average the heads (mean over axis 0) before the argmax, not "
              "the heads' maximum.",
              lambda w, d: w[:, :-1].mean(0).argmin(-1): "that picks the letter with the SMALLEST weight: use argmax."},
    hint="Entry t is the letter with the largest head-averaged weight in row t, for the rows 0 to m - 2.",
    praise="Each written phoneme now points at one letter, read from the step that wrote it: the alignment a "
           "pronunciation dictionary would list.")
