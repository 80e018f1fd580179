"""Exercises of chapter 7, "Training a Transformer on a real task" (training.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise

_generator = torch.Generator().manual_seed(73)
_LENGTHS = torch.tensor([5, 1, 7, 3, 7, 2])        # hidden: every length from 1 to the full width 7
_N = 7


@exercise("7.3-key-padding-mask", "The source's key-padding mask from its lengths")
def _(answer):
    expected = torch.arange(_N)[None, :] < _LENGTHS[:, None]               # (batch, n), True = a real token
    result = call(answer, _LENGTHS.clone(), _N, name="key_padding_mask")
    if result is None or not torch.is_tensor(result):
        as_tensor(result, "your mask")                                     # None / wrong type -> its message
        raise Incorrect(f"your mask should be a bool tensor, but it is a {type(result).__name__}.")
    shape = (len(_LENGTHS), 1, _N)
    if tuple(result.shape) == (len(_LENGTHS), _N):
        raise Incorrect(f"your mask has shape {tuple(result.shape)} = (batch, n_keys). As a key mask it "
                        f"must broadcast over the queries: add the query axis, (batch, 1, n_keys).")
    if tuple(result.shape) == (len(_LENGTHS), _N, 1):
        raise Incorrect("your mask has shape (batch, n_keys, 1): the 1 must stand for the queries, "
                        "(batch, 1, n_keys), so that each row of scores sees the same keys.")
    if tuple(result.shape) != shape:
        raise Incorrect(f"your mask has shape {tuple(result.shape)}, but it should have shape {shape} "
                        f"= (batch, 1, n_keys).")
    if result.dtype != torch.bool:
        raise Incorrect(f"your mask has dtype {result.dtype}; the course's masks are bool (True = may attend).")
    mask = result[:, 0]
    if torch.equal(mask, ~expected):
        raise Incorrect("your mask is inverted: True must mark the real tokens (may attend). PyTorch's "
                        "key_padding_mask is the other way round, True at padding.")
    if torch.equal(mask, torch.arange(_N)[None, :] <= _LENGTHS[:, None]):
        raise Incorrect("off by one: position j is real when j < length (positions count from 0).")
    if not torch.equal(mask, expected):
        wrong = (mask != expected).nonzero()[0].tolist()
        raise Incorrect(f"the mask is wrong at row {wrong[0]} (length {int(_LENGTHS[wrong[0]])}), position "
                        f"{wrong[1]}: the first `length` positions are True, the rest False.")
    return "Every padded key gets weight exactly 0, in the encoder and in the cross-attention alike."


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


@exercise("7.3-hard-alignment", "Read cross-attention into a hard alignment")
def _(answer):
    weights, m = _WEIGHTS, _M
    result = call(answer, weights.clone(), list(_DECODER_INPUT), name="hard_alignment")
    tensor = as_tensor(result, "your alignment")
    rows = weights.mean(0).argmax(-1)                    # one letter per row, all m rows
    if tuple(tensor.shape) == (m,):
        if torch.equal(tensor.long(), rows):
            raise Incorrect(f"your alignment has one letter per row, {m} in all; but the last row "
                            f"predicts what follows the last phoneme (<eos>), and <bos> is read, not "
                            f"written. Return one letter per written phoneme, decoder_input[1:]: "
                            f"shape (m - 1,) = ({m - 1},).")
        raise Incorrect(f"your alignment has shape ({m},): one entry per row. Return one letter per "
                        f"written phoneme, decoder_input[1:], shape (m - 1,) = ({m - 1},).")
    if tuple(tensor.shape) in ((4, m), (4, m - 1)):
        raise Incorrect("your alignment has one row per head: average the heads (axis 0) first, then "
                        "pick one letter per phoneme.")
    if tuple(tensor.shape) in ((4, _N_SOURCE), (_N_SOURCE,)):
        raise Incorrect("your alignment picks along the phoneme axis: for each row choose the letter "
                        "(column) with the largest weight, argmax over the last axis.")
    as_tensor(result, "your alignment", shape=(m - 1,))
    if torch.is_tensor(result) and result.is_floating_point() and not torch.equal(result, result.round()):
        raise Incorrect("your alignment should hold letter positions (integers), not weights: use argmax, "
                        "not max.")
    picked = tensor.long()
    if torch.equal(picked, rows[1:]):
        raise Incorrect("you paired each phoneme with the row on which it is read (row t + 1 for "
                        "decoder_input[t + 1]); that row predicts the NEXT phoneme. The phoneme "
                        "decoder_input[t + 1] was written by the step that read decoder_input[t]: row t. "
                        "Use rows 0 to m - 2.")
    if torch.equal(picked, weights[0, :-1].argmax(-1)):
        raise Incorrect("that is the first head's alignment; average the weights of all heads first.")
    if torch.equal(picked, weights[:, :-1].amax(0).argmax(-1)):
        raise Incorrect("average the heads (mean over axis 0) before the argmax, not the heads' maximum.")
    if torch.equal(picked, weights[:, :-1].mean(0).argmin(-1)):
        raise Incorrect("that picks the letter with the SMALLEST weight: use argmax.")
    if not torch.equal(picked, _alignment(weights)):
        wrong = int((picked != _alignment(weights)).nonzero()[0])
        raise Incorrect(f"not yet: entry {wrong} (the phoneme decoder_input[{wrong + 1}]) should be "
                        f"the letter with the largest head-averaged weight in row {wrong}.")
    return ("Each written phoneme now points at one letter, read from the step that wrote it: the "
            "alignment a pronunciation dictionary would list.")
