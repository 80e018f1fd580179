"""Bottom-up saliency and top-down focus on an image (chapter 4, "Focus vs saliency").

Bottom-up (saliency-based) attention is decided by the stimulus alone: no task, no learning.
Two classic maps are here, both computed on a small grey or colour image:

- :func:`spectral_residual` (Hou & Zhang 2007): what is left of the log amplitude spectrum after
  removing its smooth trend is "the unexpected"; back in image space it marks salient regions.
- :func:`centre_surround` (after Itti, Koch & Niebur 1998): differences between fine and coarse
  Gaussian blurs of intensity and two colour-opponent channels; a region that differs from its
  surround stands out.

Top-down (focus) attention is decided by a query: :func:`patch_features` turns the image into a
grid of patch vectors (keys), and :func:`focus_map` is a softmax over patches of how well each
matches a query vector.

Images: numpy arrays (height, width, 3) with values in [0, 1] or [0, 255]. Maps: (height, width)
arrays scaled to [0, 1] (saliency) or summing to 1 over patches (focus).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage
from skimage import color, transform

from .attention import masked_softmax
from .checks import require_shape, require_tensor

__all__ = ["prepare_image", "spectral_residual", "centre_surround", "patch_features", "focus_map"]


def prepare_image(image, width: int = 128) -> np.ndarray:
    """``image`` (height, width, 3) as floats in [0, 1], resized to ``width`` pixels wide."""
    array = np.asarray(image)
    require_shape("image", array, (None, None, 3), "(height, width, 3)")
    array = array.astype(float)
    if array.max() > 1.0:
        array = array / 255.0
    height = max(1, round(array.shape[0] * width / array.shape[1]))
    return transform.resize(array, (height, width), anti_aliasing=True)


def _unit(array: np.ndarray) -> np.ndarray:
    low, high = array.min(), array.max()
    return (array - low) / (high - low) if high > low else np.zeros_like(array)


def spectral_residual(image: np.ndarray, blur_sigma: float = 2.0) -> np.ndarray:
    """Hou & Zhang's spectral-residual saliency of ``image`` (height, width, 3) in [0, 1].

    Hou & Zhang compute it on images about 64 pixels wide; the Fourier transform wraps around,
    so the corners can light up.

    Returns a (height, width) map in [0, 1].
    """
    grey = color.rgb2gray(prepare_image(image, image.shape[1]))
    spectrum = np.fft.fft2(grey)
    log_amplitude = np.log(np.abs(spectrum) + 1e-6 * np.abs(spectrum).max())
    residual = log_amplitude - ndimage.uniform_filter(log_amplitude, size=3, mode="nearest")
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    return _unit(ndimage.gaussian_filter(saliency, blur_sigma))


def centre_surround(image: np.ndarray, scales=((1, 4), (2, 8))) -> np.ndarray:
    """Centre-surround contrast of intensity, red-green and blue-yellow channels.

    image: (height, width, 3) in [0, 1]; scales: (centre sigma, surround sigma) pairs in pixels.
    Returns a (height, width) map in [0, 1], the normalised sum of ``|blur_c - blur_s|`` maps.
    """
    rgb = prepare_image(image, image.shape[1])
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    channels = [rgb.mean(-1), red - green, blue - (red + green) / 2]
    total = np.zeros(rgb.shape[:2])
    for channel in channels:
        for centre_sigma, surround_sigma in scales:
            total += _unit(np.abs(ndimage.gaussian_filter(channel, centre_sigma)
                                  - ndimage.gaussian_filter(channel, surround_sigma)))
    return _unit(total)


def patch_features(image: np.ndarray, patch: int = 8) -> tuple[torch.Tensor, tuple[int, int]]:
    """Each ``patch`` x ``patch`` patch as a vector: its mean CIELAB colour, standardised.

    image: (height, width, 3) in [0, 1]. Returns ``(keys, grid)``: keys (n_patches, 3) and the
    grid (rows, columns) of patches, ``n_patches = rows * columns``.
    """
    lab = color.rgb2lab(prepare_image(image, image.shape[1]))
    rows, columns = lab.shape[0] // patch, lab.shape[1] // patch
    if rows == 0 or columns == 0:
        raise ValueError(f"image has shape {lab.shape} but must be at least patch={patch} pixels each way")
    means = lab[:rows * patch, :columns * patch].reshape(rows, patch, columns, patch, 3).mean((1, 3))
    keys = torch.tensor(means.reshape(-1, 3), dtype=torch.float32)
    return (keys - keys.mean(0)) / keys.std(0), (rows, columns)


def focus_map(keys: torch.Tensor, query: torch.Tensor, grid: tuple[int, int],
              temperature: float = 0.1) -> np.ndarray:
    """Top-down focus: softmax over patches of ``-|key - query|^2 / temperature``.

    keys: (n_patches, d); query: (d,); grid: (rows, columns) with rows * columns = n_patches.
    Returns the attention distribution over patches as a (rows, columns) array summing to 1.
    """
    require_tensor("keys", keys, "(n_patches, d)", dim=2)
    require_tensor("query", query, "(d,)")
    require_shape("query", query, (keys.shape[1],), "(d,)", hint=f"d as in keys {tuple(keys.shape)}")
    if grid[0] * grid[1] != keys.shape[0]:
        raise ValueError(f"grid {grid} has {grid[0] * grid[1]} patches but keys have {keys.shape[0]}")
    scores = -((keys - query) ** 2).sum(-1) / temperature
    return masked_softmax(scores).reshape(grid).numpy()
