"""Tests of attnlab.correlation (chapter 6, "Gates as attention")."""

import math

import pytest
import torch
from scipy.stats import spearmanr

from attnlab.correlation import rank_correlation


def test_matches_scipy_row_by_row_with_masks_and_ties():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(6, 9, generator=generator)
    b = a + torch.randn(6, 9, generator=generator)
    b[2, :4] = 0.5                                                   # ties
    lengths = torch.tensor([9, 5, 7, 3, 9, 2])
    mask = torch.arange(9)[None] < lengths[:, None]
    ours = rank_correlation(a, b, mask)
    for row in range(6):
        n = lengths[row].item()
        expected = spearmanr(a[row, :n].numpy(), b[row, :n].numpy()).statistic
        assert math.isclose(ours[row].item(), expected, abs_tol=1e-9)


def test_extremes_and_undefined_rows():
    x = torch.arange(5.0)[None]
    assert rank_correlation(x, x ** 3).item() == pytest.approx(1.0)
    assert rank_correlation(x, -x).item() == pytest.approx(-1.0)
    assert torch.isnan(rank_correlation(x, torch.ones(1, 5)))[0]
    assert torch.isnan(rank_correlation(x, x, torch.tensor([[True, False, False, False, False]])))[0]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="same shape"):
        rank_correlation(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        rank_correlation(torch.zeros(2, 3), torch.zeros(2, 3), torch.ones(2, 3))
