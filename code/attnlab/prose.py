"""Numbers in the prose come from the code: :func:`glue` hands a value the notebook computed to
the page's text.

In a code cell::

    from attnlab.prose import glue
    glue("cnn_at_64", accuracy["CNN"][64])            # a float, int, tensor or NumPy scalar

and in the markdown, with a Python format spec: ``{glue:text}`cnn_at_64:.1%` `` (the book
writes "51.3%"). A chapter page pastes from a notebook with
``{glue:text}`long-range-task.ipynb::cnn_at_64:.1%` ``.

The value is stored the way MyST-NB's own ``myst_nb.glue(name, value, display=False)`` stores
it (tests/test_prose.py checks that the two agree), but this function needs neither MyST-NB nor
Jupyter Book, so the notebooks run in Colab as they are. Only plain, finite numbers and strings
are glued: a tensor or a NumPy scalar is turned into a Python number first (its ``repr`` would
not format), and NaN or infinity raises, since a page must never say "nan%".
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

__all__ = ["glue", "plain"]

GLUE_PREFIX = "application/papermill.record/"


def plain(value):
    """``value`` as a Python ``int``, ``float``, ``bool`` or ``str``; raise for anything else."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        count = value.numel() if isinstance(value, torch.Tensor) else value.size
        if count != 1:
            raise ValueError(f"only a single number can be glued, got a tensor of shape "
                             f"{tuple(value.shape)}")
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"glued numbers must be finite, got {value}")
        return value
    raise TypeError(f"only numbers and strings can be glued, got {type(value).__name__}")


def glue(name: str, value, *, zh: str | None = None) -> None:
    """Store ``value`` under ``name`` for the page's ``{glue:text}`` roles (nothing is shown).

    A value that is words, not a number, has a Chinese twin for the Chinese edition (中文版):
    ``glue("verdict", "less" if faster else "more", zh="更少" if faster else "更多")`` also stores
    ``verdict_zh``, which the Chinese translation of the page cites instead (scripts/i18n.py)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier such as 'cnn_at_64', got {name!r}")
    if zh is not None:
        if not isinstance(value, str) or not isinstance(zh, str):
            raise TypeError(f"zh is the Chinese of a glued text; {name!r} glues "
                            f"{type(value).__name__} {value!r} with zh={zh!r}")
        glue(f"{name}_zh", zh)
    from IPython.display import display

    display({GLUE_PREFIX + "text/plain": repr(plain(value))}, raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}})
