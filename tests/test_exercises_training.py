"""The checkers of training.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def key_padding_mask(lengths, n):
    return (torch.arange(n)[None, :] < lengths[:, None])[:, None, :]


def sequential_steps(kind, n_source, n_target, encoder_layers, decoder_layers):
    if kind == "recurrent":
        return {"training": n_source + n_target, "generation": n_target}
    return {"training": encoder_layers + decoder_layers, "generation": n_target}


def hard_alignment(weights, decoder_input):
    return weights[:, :-1].mean(0).argmax(-1)      # row t wrote decoder_input[t + 1]


def test_key_padding_mask_accepts_the_solution(capsys):
    assert check("7.3-key-padding-mask", key_padding_mask)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda lengths, n: key_padding_mask(lengths, n)[:, 0], "add the query axis"),
    (lambda lengths, n: key_padding_mask(lengths, n).transpose(1, 2), "the 1 must stand for the queries"),
    (lambda lengths, n: ~key_padding_mask(lengths, n), "inverted"),
    (lambda lengths, n: (torch.arange(n)[None, :] <= lengths[:, None])[:, None, :], "off by one"),
    (lambda lengths, n: key_padding_mask(lengths, n).float(), "dtype"),
    (lambda lengths, n: key_padding_mask(lengths, n)[:, :, :-1], "should have shape"),
    (lambda lengths, n: key_padding_mask(lengths.flip(0), n), "the mask is wrong at row"),
    (lambda lengths, n: None, "is None"),
    (lambda lengths, n: [1, 2], "should be a bool tensor"),
    (lambda lengths, n: 1 / 0, "ZeroDivisionError"),
])
def test_key_padding_mask_explains_mistakes(capsys, mistake, phrase):
    assert not check("7.3-key-padding-mask", mistake)
    assert phrase in capsys.readouterr().out


def test_sequential_steps_accepts_the_solution(capsys):
    assert check("7.3-sequential-steps", sequential_steps)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda k, n, m, e, d: {"training": n + m, "generation": m}, "computes every position at once"),
    (lambda k, n, m, e, d: {"training": n + m if k == "recurrent" else e + d, "generation": m if k == "recurrent"
                            else 1}, "feeds back its own output"),
    (lambda k, n, m, e, d: {"training": max(n, m) if k == "recurrent" else e + d, "generation": m},
     "the decoder starts only once the encoder is done"),
    (lambda k, n, m, e, d: {"training": n + m if k == "recurrent" else e + d, "generation": n + m},
     "count the decoder's steps only"),
    (lambda k, n, m, e, d: (n + m, m), "should return a dict"),
    (lambda k, n, m, e, d: {"training": "many", "generation": m}, "should be a number"),
    (lambda k, n, m, e, d: {"training": n + m + 1 if k == "recurrent" else e + d, "generation": m}, "not right yet"),
    (lambda k, n, m, e, d: None, "should return a dict"),
])
def test_sequential_steps_explains_mistakes(capsys, mistake, phrase):
    assert not check("7.3-sequential-steps", mistake)
    assert phrase in capsys.readouterr().out


def test_hard_alignment_accepts_the_solution(capsys):
    assert check("7.3-hard-alignment", hard_alignment)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda w, d: w[:, 1:].mean(0).argmax(-1), "the row on which it is read"),   # shifted by one
    (lambda w, d: w.mean(0).argmax(-1), "one letter per row"),
    (lambda w, d: w.mean(0).argmax(-1)[:3], "should have shape"),
    (lambda w, d: w[:, :-1].argmax(-1), "one row per head"),
    (lambda w, d: w[:, :-1].mean(0).argmax(0), "picks along the phoneme axis"),
    (lambda w, d: w[:, :-1].mean(0).max(-1).values, "not weights"),
    (lambda w, d: w[0, :-1].argmax(-1), "first head's alignment"),
    (lambda w, d: w[:, :-1].amax(0).argmax(-1), "not the heads' maximum"),
    (lambda w, d: w[:, :-1].mean(0).argmin(-1), "SMALLEST"),
    (lambda w, d: (w[:, :-1].mean(0).argmax(-1) + 1) % w.shape[-1], "not yet: entry"),
    (lambda w, d: torch.full((len(d) - 1,), float("nan")), "NaN"),
    (lambda w, d: None, "is None"),
    (lambda w, d: "abc", "should be a tensor"),
    (lambda w: w.mean(0).argmax(-1), "TypeError"),                            # one argument only
])
def test_hard_alignment_explains_mistakes(capsys, mistake, phrase):
    assert not check("7.3-hard-alignment", mistake)
    assert phrase in capsys.readouterr().out
