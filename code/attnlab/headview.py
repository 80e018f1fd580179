"""An interactive head view for notebooks and the book (chapter 7, "A real pretrained model").

Choose a layer and a head, then hover over or click a token to see the weight it gives every
token. The widget's script is one file, ``_static/head-view.js``: the built book serves it (Jupyter
Book loads every script in the repository's ``_static/``), and :func:`head_view` inlines the same
text into the notebook's output so that Jupyter and Colab, which have no such folder, run it too.
The script defines itself once (``window.attnlabHeadView``); a second copy only sets up new widgets.
No network and no dependency. Without JavaScript, show a static heatmap beside it
(:func:`attnlab.viz.heatmap`).

A token's shading is the weight the chosen query gives it (the opacity of one colour over the
page's own background: viridis' dark purple on a light page, its yellow on a dark one), and a
legend under the tokens says so. Each token's text is black or
white, whichever contrasts more with its shaded background on the page, so the widget reads in
the site's light and dark themes alike (it is drawn again when the theme changes) and in
Jupyter's.
"""

from __future__ import annotations

import json

import torch

from .checks import require_tensor, shape_of
from .paths import static_file

__all__ = ["head_view_html", "head_view"]


def head_view_html(tokens: list[str], weights: torch.Tensor, layer: int = 0, head: int = 0,
                   query: int = 0, inline_script: bool = True) -> str:
    """The widget as HTML: a ``<div class="attnlab-head-view">`` holding the data as JSON, then the
    script (inlined unless ``inline_script=False``).

    tokens: n strings; weights: (layers, heads, n, n), rows = queries (one sentence: index the
    batch out of :meth:`MiniLM.attend`'s (layers, batch, heads, n, n) first); layer, head, query:
    what is shown first.
    """
    require_tensor("weights", weights, "(layers, heads, n, n)", dim=4)
    n = len(tokens)
    if weights.shape[-2:] != (n, n):
        raise ValueError(f"weights has shape {shape_of(weights)} but must be (layers, heads, n, n) with "
                         f"n = len(tokens) = {n}")
    layers, heads = weights.shape[:2]
    for name, value, bound in (("layer", layer, layers), ("head", head, heads), ("query", query, n)):
        if not isinstance(value, int) or not 0 <= value < bound:
            raise ValueError(f"{name} must be an int in [0, {bound}), got {value!r}")
    data = {"tokens": [str(t) for t in tokens], "weights": weights.detach().cpu().double().round(decimals=3).tolist(),
            "layer": layer, "head": head, "query": query}
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    parts = ['<div class="attnlab-head-view">',
             f'<script type="application/json" class="attnlab-head-view-data">{payload}</script>',
             '<p class="attnlab-hv-noscript"><em>The interactive head view needs JavaScript; '
             f'the static heatmap shows layer {layer}, head {head}.</em></p>',
             '</div>']
    if inline_script:
        parts.append(f"<script>{static_file('head-view.js').read_text(encoding='utf-8')}</script>")
    return "\n".join(parts)


def head_view(tokens: list[str], weights: torch.Tensor, layer: int = 0, head: int = 0, query: int = 0):
    """:func:`head_view_html` wrapped for display in a notebook (``IPython.display.HTML``)."""
    from IPython.display import HTML

    return HTML(head_view_html(tokens, weights, layer, head, query))
