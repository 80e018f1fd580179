"""Attention as a spotlight over a photo: a query picks out the patches that match it.

Introduced in chapter 1 ("A spotlight over a photo"). The photo is cut into a grid of square
patches; each patch is described by its mean colour (the *keys*, and also the *values*); a
query is a colour. The score of a patch is minus the squared distance between its colour and the
query, divided by a temperature; a softmax turns the scores into an attention distribution over
the patches, and the attention value is the weighted average of the patch colours.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .attention import masked_softmax
from .checks import require_shape, require_tensor
from .viz import CMAP

__all__ = ["patch_colours", "spotlight", "attend_colour", "effective_number", "share_inside", "upsample",
           "show_spotlight", "ASTRONAUT_REGIONS"]

# Hand-drawn boxes on skimage.data.astronaut() cut into 32-pixel patches (a 16 x 16 grid):
# (first row, last row, first column, last column), inclusive, in patch units.
ASTRONAUT_REGIONS = {
    "face": (1, 4, 5, 8),
    "suit": (7, 15, 0, 8),
    "helmet": (9, 15, 9, 15),
    "flag": (0, 8, 0, 1),
}


def patch_colours(image, patch_size: int) -> torch.Tensor:
    """The mean colour of each patch, scaled to [0, 1].

    image: (height, width, 3) uint8 or float array; returns (rows, cols, 3) float32, where
    rows = height // patch_size, cols = width // patch_size (the remainder is cropped).
    """
    image = np.asarray(image)
    require_shape("image", image, (None, None, 3), "(height, width, 3)")
    if not isinstance(patch_size, int) or not 1 <= patch_size <= min(image.shape[:2]):
        raise ValueError(f"patch_size must be an int between 1 and {min(image.shape[:2])}, got {patch_size!r}")
    scale = 255.0 if image.dtype == np.uint8 else 1.0
    rows, cols = image.shape[0] // patch_size, image.shape[1] // patch_size
    cropped = image[:rows * patch_size, :cols * patch_size].astype(np.float32) / scale
    grid = cropped.reshape(rows, patch_size, cols, patch_size, 3).mean(axis=(1, 3))
    return torch.from_numpy(grid)


def spotlight(colours: torch.Tensor, query, temperature: float = 0.01) -> torch.Tensor:
    """The attention distribution of a colour ``query`` over the patches.

    colours: (rows, cols, 3) patch colours (the keys); query: (3,) a colour in [0, 1];
    scores = -||colour - query||^2 / temperature. Returns weights (rows, cols), summing to 1.
    """
    require_tensor("colours", colours, "(rows, cols, 3)", dim=3)
    require_shape("colours", colours, (None, None, 3), "(rows, cols, 3)")
    query = torch.as_tensor(query, dtype=colours.dtype)
    require_shape("query", query, (3,), "(3,), a colour")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    scores = -((colours - query) ** 2).sum(dim=-1) / temperature          # (rows, cols)
    return masked_softmax(scores.flatten()).reshape(scores.shape)


def attend_colour(colours: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The attention value: the weighted average of the patch colours (the values).

    colours: (rows, cols, 3); weights: (rows, cols), e.g. from :func:`spotlight`; returns (3,).
    """
    require_tensor("colours", colours, "(rows, cols, 3)", dim=3)
    require_tensor("weights", weights, "(rows, cols)")
    require_shape("weights", weights, tuple(colours.shape[:2]), "(rows, cols)",
                  hint=f"the grid of colours {tuple(colours.shape)}")
    return (weights.unsqueeze(-1) * colours).sum(dim=(0, 1))


def effective_number(weights: torch.Tensor) -> float:
    """How many items share the weight: 1 / sum(weights ** 2).

    weights: any shape, an attention distribution (non-negative, summing to 1). The result is 1
    when one item has all the weight and n when n items share it equally. Introduced in chapter 1
    ("What the spotlight returns").
    """
    if not torch.is_tensor(weights) or weights.numel() == 0 or (weights < 0).any():
        raise ValueError("weights must be a non-empty tensor of non-negative attention weights")
    if abs(weights.sum().item() - 1) > 1e-4:
        raise ValueError(f"weights must sum to 1 (an attention distribution), got {weights.sum().item():.4f}")
    return 1.0 / (weights ** 2).sum().item()


def share_inside(weights: torch.Tensor, region: tuple[int, int, int, int]) -> float:
    """The fraction of the attention weight inside ``region`` = (row0, row1, col0, col1), inclusive.

    weights: (rows, cols); region in patch units, e.g. ``ASTRONAUT_REGIONS["face"]``.
    """
    require_tensor("weights", weights, "(rows, cols)", dim=2)
    row0, row1, col0, col1 = region
    if not (0 <= row0 <= row1 < weights.shape[0] and 0 <= col0 <= col1 < weights.shape[1]):
        raise ValueError(f"region (row0, row1, col0, col1) = {region} must lie inside the "
                         f"{tuple(weights.shape)} grid of weights")
    return (weights[row0:row1 + 1, col0:col1 + 1].sum() / weights.sum()).item()


def upsample(weights: torch.Tensor, patch_size: int) -> np.ndarray:
    """Repeat each patch's weight over its pixels: (rows, cols) -> (rows * patch_size, cols * patch_size)."""
    return np.kron(np.asarray(weights, dtype=float), np.ones((patch_size, patch_size)))


def show_spotlight(image, weights: torch.Tensor, patch_size: int, ax, title: str = "",
                   region: tuple[int, int, int, int] | None = None, dim: float = 0.45,
                   colorbar: bool = True):
    """Draw ``image`` (dimmed to ``dim``) with the attention ``weights`` (rows, cols) laid over it:
    the more weight a patch has, the more opaque its colour (the book's colormap, from 0 to the
    largest weight, read off the colour bar when ``colorbar``). ``region`` (if given) is outlined
    with a dashed white box.
    """
    rows, cols = weights.shape
    largest = float(weights.max())
    light = upsample(weights / largest, patch_size)
    crop = np.asarray(image)[:rows * patch_size, :cols * patch_size].astype(float) / 255.0
    ax.imshow(crop * dim)
    ax.imshow(upsample(weights, patch_size), cmap=CMAP, vmin=0, vmax=largest,
              alpha=np.clip(light, 0, 1) * 0.85)
    if colorbar:  # the colours at full opacity; the overlay fades them with the weight
        scale = ScalarMappable(norm=Normalize(0, largest), cmap=CMAP)
        bar = ax.figure.colorbar(scale, ax=ax, orientation="horizontal", fraction=0.05, pad=0.04,
                                 label="weight of the patch")
        bar.ax.tick_params(labelsize=7)
        bar.ax.xaxis.set_major_locator(MaxNLocator(3))
    if region is not None:
        row0, row1, col0, col1 = region
        ax.add_patch(Rectangle((col0 * patch_size - 0.5, row0 * patch_size - 0.5), (col1 - col0 + 1) * patch_size,
                               (row1 - row0 + 1) * patch_size, fill=False, edgecolor="white", linestyle="--",
                               linewidth=1.2))
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return ax
