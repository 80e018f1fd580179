"""The book's house style for figures, and the one attention heatmap every chapter uses."""

from __future__ import annotations

from typing import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

from .checks import require_shape

__all__ = ["use_house_style", "heatmap", "seed_curves", "CMAP", "COLORS"]

CMAP = "viridis"  # perceptually uniform, readable in grey and by colour-blind readers
COLORS = {"attention": "#1b9e77", "baseline": "#d95f02", "third": "#7570b3", "fourth": "#e7298a"}

_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "image.cmap": CMAP,
    "axes.prop_cycle": mpl.cycler(color=list(COLORS.values())),
}


def use_house_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a notebook)."""
    mpl.rcParams.update(_STYLE)


def _as_2d_array(weights) -> np.ndarray:
    if isinstance(weights, torch.Tensor):
        weights = weights.detach().cpu().numpy()
    array = np.asarray(weights, dtype=float)
    require_shape("weights", torch.as_tensor(array), (None, None), "(n_queries, n_keys)")
    return array


def heatmap(weights, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None, *,
            ax: plt.Axes | None = None, title: str | None = None, xlabel: str = "key",
            ylabel: str = "query", vmin: float | None = 0.0, vmax: float | None = None,
            annotate: bool | None = None, colorbar: bool = True) -> plt.Axes:
    """Draw attention weights (n_queries, n_keys) with their token labels.

    weights: (n_queries, n_keys) tensor or array; row_labels: n_queries labels; col_labels:
    n_keys labels. ``annotate`` writes each weight in its cell (default: when the grid is at
    most 12 x 12). Returns the axes.
    """
    array = _as_2d_array(weights)
    n_queries, n_keys = array.shape
    for name, labels, n, what in (("row_labels", row_labels, n_queries, "n_queries"),
                                  ("col_labels", col_labels, n_keys, "n_keys")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name} has {len(labels)} labels but weights have shape {array.shape}; "
                             f"it needs one label per {what[2:-1]} ({what}={n})")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.45 * n_keys + 1.5), max(2.0, 0.4 * n_queries + 1.0)))
    image = ax.imshow(array, cmap=CMAP, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.grid(False)
    ax.set_xticks(range(n_keys), col_labels if col_labels is not None else range(n_keys),
                  rotation=90 if col_labels is not None and max(map(len, map(str, col_labels))) > 2 else 0)
    ax.set_yticks(range(n_queries), row_labels if row_labels is not None else range(n_queries))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if annotate is None:
        annotate = n_queries <= 12 and n_keys <= 12
    if annotate:
        threshold = (np.nanmax(array) + np.nanmin(array)) / 2
        for i in range(n_queries):
            for j in range(n_keys):
                ax.text(j, i, f"{array[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="black" if array[i, j] > threshold else "white")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def seed_curves(ax, records: Sequence[dict], label: str, color: str | None = None) -> None:
    """Draw on ``ax`` the validation curve of several runs of one experiment (the records of
    :func:`attnlab.checkpoints.load_seeds`): their mean as a line, their range as a band, against
    the training step. Labels the axes with the records' ``val_name``."""
    if not records:
        raise ValueError("records is empty: pass the records of at least one run")
    steps = records[0]["curve"]["step"]
    if any(r["curve"]["step"] != steps for r in records):
        raise ValueError("records were evaluated at different steps; pass the seeds of one experiment")
    values = np.array([r["curve"]["val"] for r in records])
    line, = ax.plot(steps, values.mean(0), color=color, label=f"{label} (mean of {len(records)} seeds)")
    ax.fill_between(steps, values.min(0), values.max(0), color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set(xlabel="training step", ylabel=records[0]["val_name"])
