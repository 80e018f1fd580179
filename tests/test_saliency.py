"""attnlab.saliency: bottom-up maps and top-down focus (chapter 4, focus vs saliency)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from attnlab.saliency import centre_surround, focus_map, patch_features, prepare_image, spectral_residual


def _odd_one_out(size=64):
    """A uniform grey image with one red square: the square is the salient thing."""
    image = np.full((size, size, 3), 0.5)
    image[40:48, 12:20] = [1.0, 0.0, 0.0]
    return image


@pytest.mark.parametrize("saliency", [centre_surround, spectral_residual])
def test_the_odd_one_out_is_salient(saliency):
    image = _odd_one_out()
    result = saliency(image)
    assert result.shape == (64, 64) and result.min() == 0 and result.max() == 1
    inside = result[38:50, 10:22].mean()
    far = result[:20, 40:].mean()
    assert inside > 3 * far


def _reseed(seed):
    """Put every global random generator a map could read in a different state."""
    import random

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@pytest.mark.parametrize("saliency", [centre_surround, spectral_residual])
def test_saliency_does_not_depend_on_anything_but_the_image(saliency):
    image = _odd_one_out()
    _reseed(0)
    first = saliency(image)
    _reseed(1)
    second = saliency(image.copy())
    assert np.array_equal(first, second)
    assert np.array_equal(image, _odd_one_out())                       # the input is left as it was


def test_focus_finds_the_patch_matching_the_query():
    image = _odd_one_out()
    keys, grid = patch_features(image, patch=8)
    assert keys.shape == (64, 3) and grid == (8, 8)
    red = keys[5 * 8 + 1]                # the patch at rows 40-47, columns 8-15 holds red
    weights = focus_map(keys, red, grid)
    assert weights.shape == grid and np.isclose(weights.sum(), 1, atol=1e-5)
    assert np.unravel_index(weights.argmax(), grid)[0] == 5


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 63), st.floats(0.01, 10))
def test_focus_is_a_distribution(index, temperature):
    keys, grid = patch_features(_odd_one_out() * 0.9 + np.random.default_rng(index).random((64, 64, 3)) * 0.1, 8)
    weights = focus_map(keys, keys[index], grid, temperature=temperature)
    assert (weights >= 0).all() and np.isclose(weights.sum(), 1, atol=1e-4)


def test_prepare_image_scales_and_resizes():
    image = (np.random.default_rng(0).random((50, 100, 3)) * 255).astype(np.uint8)
    out = prepare_image(image, width=40)
    assert out.shape == (20, 40, 3) and 0 <= out.min() and out.max() <= 1


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="image has shape"):
        prepare_image(np.zeros((4, 4)))
    keys, grid = patch_features(_odd_one_out(), 8)
    with pytest.raises(ValueError, match="query has shape"):
        focus_map(keys, torch.zeros(4), grid)
    with pytest.raises(ValueError, match="grid"):
        focus_map(keys, keys[0], (3, 3))
