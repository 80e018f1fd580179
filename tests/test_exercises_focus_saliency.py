"""The checkers of focus-saliency.ipynb accept the solutions and reject typical mistakes."""

import pytest
import torch
import torch.nn.functional as F

from attnlab.exercises import check


def solution(x, k):
    return F.one_hot(x.view(-1, k).argmax(dim=1), k).bool().view(-1)


def test_selection_accepts_the_solution(capsys):
    assert check("4.6-maxpool-selection", solution)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, k: x.view(-1, k).max(dim=1).values, "one entry per window"),
    (lambda x, k: x == x.max(), "single input"),
    (lambda x, k: F.one_hot(x.view(-1, k).argmin(dim=1), k).bool().view(-1), "not the largest one"),
    (lambda x, k: solution(x, k).float(), "boolean mask"),
    (lambda x, k: x > 0, "exactly"),
    (lambda x, k: None, "is None"),
])
def test_selection_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.6-maxpool-selection", mistake)
    assert phrase in capsys.readouterr().out


def test_count(capsys):
    assert check("4.6-maxpool-count", 64)
    capsys.readouterr()
    for answer, phrase in [(256, "8x8 windows"), (1024, "windows of 16 pixels"), (8, "both directions"),
                           (16, "width of one window"), (128 * 128, "one pixel per window"),
                           (63, "Count the 16x16"), ("64", "should be a number"), (None, "is None")]:
        assert not check("4.6-maxpool-count", answer)
        assert phrase in capsys.readouterr().out


def gate(image, saliency, sharpness):
    return torch.sigmoid(sharpness * (saliency - saliency.median()))[..., None] * image


def test_gate_accepts_the_solution(capsys):
    assert check("4.6-saliency-gate", gate)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, s, k: (s > s.median()).double()[..., None] * x, "hard threshold"),
    (lambda x, s, k: torch.sigmoid(k * (s - s.mean()))[..., None] * x, "median"),
    (lambda x, s, k: torch.sigmoid(k * (s - s.median()))[..., None].expand_as(x), "the gate itself"),
    (lambda x, s, k: torch.sigmoid(s - s.median())[..., None] * x, "off by up to"),
    (lambda x, s, k: torch.sigmoid(k * (s - s.median())) * x, "raised RuntimeError"),
    (lambda x, s, k: torch.sigmoid(k * (s - s.median())), "but it should have shape"),
    (lambda x, s, k: None, "is None"),
])
def test_gate_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.6-saliency-gate", mistake)
    assert phrase in capsys.readouterr().out
