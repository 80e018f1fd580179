"""The house style and the attention heatmap."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from attnlab.viz import CMAP, heatmap, use_house_style  # noqa: E402


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
