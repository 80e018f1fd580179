"""Tests of attnlab.spotlight (chapter 1, "A spotlight over a photo")."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from attnlab.spotlight import (attend_colour, effective_number, patch_colours, share_inside,  # noqa: E402
                               show_spotlight, spotlight, upsample)


def _two_colour_image():
    image = np.zeros((8, 10, 3), dtype=np.uint8)
    image[:4, :4] = [255, 0, 0]        # a red top-left patch
    image[4:, :, 2] = 255              # blue bottom half
    return image


def test_patch_colours_are_patch_means_and_crop_the_remainder():
    colours = patch_colours(_two_colour_image(), 4)
    assert colours.shape == (2, 2, 3)                     # 10 // 4 = 2 columns, remainder cropped
    assert torch.allclose(colours[0, 0], torch.tensor([1.0, 0.0, 0.0]))
    assert torch.allclose(colours[1, 1], torch.tensor([0.0, 0.0, 1.0]))
    assert torch.allclose(colours[0, 1], torch.zeros(3))


def test_spotlight_finds_the_matching_patch_and_temperature_limits():
    colours = patch_colours(_two_colour_image(), 4)
    sharp = spotlight(colours, [1.0, 0.0, 0.0], temperature=0.001)
    assert sharp[0, 0] > 0.999
    assert torch.allclose(attend_colour(colours, sharp), torch.tensor([1.0, 0.0, 0.0]), atol=1e-3)
    flat = spotlight(colours, [1.0, 0.0, 0.0], temperature=1e6)
    assert torch.allclose(flat, torch.full((2, 2), 0.25), atol=1e-5)
    assert share_inside(flat, (0, 0, 0, 1)) == pytest.approx(0.5)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 1000), st.floats(1e-3, 10.0))
def test_weights_are_a_distribution(seed, temperature):
    generator = torch.Generator().manual_seed(seed)
    colours = torch.rand(3, 5, 3, generator=generator)
    weights = spotlight(colours, torch.rand(3, generator=generator), temperature)
    assert weights.shape == (3, 5) and (weights >= 0).all()
    assert weights.sum().item() == pytest.approx(1.0, abs=1e-5)
    value = attend_colour(colours, weights)
    assert (value >= colours.reshape(-1, 3).min(0).values - 1e-6).all()   # a convex combination
    assert (value <= colours.reshape(-1, 3).max(0).values + 1e-6).all()


def test_upsample_and_show():
    weights = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    big = upsample(weights, 3)
    assert big.shape == (6, 6) and big[5, 5] == pytest.approx(0.4)
    fig, ax = plt.subplots()
    try:
        assert show_spotlight(_two_colour_image(), weights, 4, ax, title="t", region=(1, 1, 0, 1)) is ax
        photo, overlay = ax.images                                     # the dimmed photo, then the weights
        np.testing.assert_allclose(photo.get_array(), _two_colour_image()[:8, :8] / 255.0 * 0.45)
        shown = np.asarray(upsample(weights, 4))                      # (8, 8): one 4x4 block per patch
        np.testing.assert_allclose(overlay.get_array(), shown)
        assert overlay.get_clim() == pytest.approx((0.0, 0.4))         # coloured from 0 to the largest weight
        np.testing.assert_allclose(overlay.get_alpha(), shown / 0.4 * 0.85, rtol=1e-6)   # more weight, more opaque
        bar = [a for a in fig.axes if a is not ax]
        assert len(bar) == 1 and bar[0].get_xlabel() == "weight of the patch"   # one horizontal colour bar
        assert ax.get_title() == "t"
        (box,) = ax.patches                                            # the region: rows 1-1, columns 0-1
        assert box.get_xy() == pytest.approx((-0.5, 3.5)) and (box.get_width(), box.get_height()) == (8, 4)
        assert not box.get_fill() and box.get_linestyle() == "--"
    finally:
        plt.close(fig)
    fig, ax = plt.subplots()
    try:
        show_spotlight(_two_colour_image(), weights, 4, ax, colorbar=False)
        assert fig.axes == [ax] and len(ax.images) == 2 and not ax.patches and ax.get_title() == ""
    finally:
        plt.close(fig)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"image has shape \(4, 4\) but must have shape \(height, width, 3\)"):
        patch_colours(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match="patch_size"):
        patch_colours(np.zeros((4, 4, 3)), 5)
    colours = torch.rand(2, 2, 3)
    with pytest.raises(ValueError, match=r"query has shape \(2,\) but must have shape \(3,\), a colour"):
        spotlight(colours, [1.0, 0.0])
    with pytest.raises(ValueError, match="temperature must be positive"):
        spotlight(colours, [1.0, 0.0, 0.0], temperature=0.0)
    with pytest.raises(ValueError, match=r"colours has shape \(4, 3\) but must have shape \(rows, cols, 3\)"):
        spotlight(torch.rand(4, 3), [1.0, 0.0, 0.0])


def test_effective_number_counts_the_items_sharing_the_weight():
    assert effective_number(torch.tensor([0.0, 1.0, 0.0])) == pytest.approx(1.0)
    assert effective_number(torch.full((4, 4), 1 / 16)) == pytest.approx(16.0)
    assert effective_number(torch.tensor([0.5, 0.5, 0.0])) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="must sum to 1"):
        effective_number(torch.tensor([0.5, 0.2]))
    with pytest.raises(ValueError, match="non-negative"):
        effective_number(torch.tensor([1.5, -0.5]))


def test_attend_colour_and_share_inside_name_bad_shapes():
    colours = torch.rand(2, 3, 3)
    with pytest.raises(ValueError, match=r"weights has shape \(3, 2\) but must have shape \(rows, cols\) = \(2, 3\)"):
        attend_colour(colours, torch.rand(3, 2))
    with pytest.raises(ValueError, match=r"weights has shape \(6,\) but must have shape \(rows, cols\)"):
        share_inside(torch.rand(6), (0, 0, 0, 0))
    with pytest.raises(ValueError, match="must lie inside"):
        share_inside(torch.rand(2, 3), (0, 2, 0, 0))
