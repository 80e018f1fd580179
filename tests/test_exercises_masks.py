"""The checkers of masks.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def mask(n):
    positions = torch.arange(n)
    return positions[None, :] <= positions[:, None]


def decoder_mask(lengths, n):
    return mask(n)[None] & (torch.arange(n)[None, :] < lengths[:, None])[:, None, :]


def test_causal_mask_accepts_the_solution(capsys):
    assert check("7.2-causal-mask", mask)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda n: mask(n).T, "upper triangle"),
    (lambda n: ~mask(n), "forbidden"),
    (lambda n: mask(n) & ~torch.eye(n, dtype=torch.bool), "diagonal"),
    (lambda n: mask(n).float(), "dtype"),
    (lambda n: mask(n)[0], "shape"),
    (lambda n: torch.ones(n, n, dtype=torch.bool), "differs"),
    (lambda n: None, "None"),
    (lambda n: [[True]], "torch.Tensor"),
])
def test_causal_mask_explains_mistakes(mistake, phrase, capsys):
    assert not check("7.2-causal-mask", mistake)
    assert phrase in capsys.readouterr().out


def test_decoder_mask_accepts_the_solution(capsys):
    assert check("7.2-decoder-mask", decoder_mask)
    assert "Correct" in capsys.readouterr().out


def _real(lengths, n):
    return torch.arange(n)[None, :] < lengths[:, None]


@pytest.mark.parametrize("mistake, phrase", [
    (lambda lengths, n: mask(n).expand(len(lengths), n, n), "causal mask only"),
    (lambda lengths, n: _real(lengths, n)[:, None, :].expand(len(lengths), n, n), "padding mask only"),
    (lambda lengths, n: mask(n)[None] & _real(lengths, n)[:, :, None], "padded queries (rows)"),
    (lambda lengths, n: ~decoder_mask(lengths, n), "differs"),
    (lambda lengths, n: None, "None"),
])
def test_decoder_mask_explains_mistakes(mistake, phrase, capsys):
    assert not check("7.2-decoder-mask", mistake)
    assert phrase in capsys.readouterr().out
