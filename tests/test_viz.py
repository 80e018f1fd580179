"""The house style and the attention heatmap."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from attnlab.viz import CMAP, heatmap, seed_curves, use_house_style  # noqa: E402


def test_heatmap_shows_weights_and_labels():
    use_house_style()
    weights = torch.softmax(torch.randn(3, 4), -1)
    ax = heatmap(weights, ["a", "b", "c"], ["w", "x", "y", "z"], title="t")
    image = ax.images[0]
    assert np.allclose(image.get_array(), weights.numpy())
    assert image.get_cmap().name == CMAP
    assert [t.get_text() for t in ax.get_xticklabels()] == ["w", "x", "y", "z"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "key" and ax.get_ylabel() == "query"
    assert len(ax.texts) == 12  # small grids are annotated
    plt.close("all")


def test_heatmap_draws_into_given_axes_without_annotation_for_large_grids():
    fig, ax = plt.subplots()
    returned = heatmap(np.random.rand(20, 30), ax=ax, xlabel="key token", ylabel="query token", colorbar=False)
    assert returned is ax and not ax.texts and ax.get_xlabel() == "key token"
    plt.close(fig)


def test_heatmap_errors():
    with pytest.raises(ValueError, match=r"weights has shape \(2, 3, 4\) but must have shape \(n_queries, n_keys\)"):
        heatmap(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"col_labels has 2 labels but weights have shape \(2, 3\)"):
        heatmap(np.zeros((2, 3)), col_labels=["a", "b"])
    plt.close("all")


def _record(values, steps=(100, 200, 300)):
    return {"curve": {"step": list(steps), "val": list(values)}, "val_name": "held-out accuracy"}


def test_seed_curves_draws_the_mean_and_the_range_over_seeds():
    fig, ax = plt.subplots()
    seed_curves(ax, [_record([0.5, 0.7, 0.9]), _record([0.5, 0.9, 0.9])], "self-attention")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [0.5, 0.8, 0.9])
    assert line.get_label() == "self-attention (mean of 2 seeds)" and ax.get_ylabel() == "held-out accuracy"
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.5) and band[:, 1].max() == pytest.approx(0.9)
    plt.close(fig)


def test_seed_curves_errors():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="records is empty"):
        seed_curves(ax, [], "x")
    with pytest.raises(ValueError, match="evaluated at different steps"):
        seed_curves(ax, [_record([0.5, 0.6, 0.7]), _record([0.5, 0.6, 0.7], steps=(10, 20, 30))], "x")
    plt.close(fig)
