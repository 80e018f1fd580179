"""Exercises of chapter 7, "Masks that do not leak" (masks.ipynb): a leaking causal mask to debug,
and the prefix-LM mask, a transfer of the causal mask."""

from __future__ import annotations

import torch

from ..attention import causal_mask
from .core import choice_exercise, function_exercise


def leaky_mask(n: int) -> torch.Tensor:
    """The mask of the debug exercise, as written: the lower triangle one diagonal too far."""
    return torch.ones(n, n, dtype=torch.bool).tril(diagonal=1)


_SIZES = [(4,), (7,), (1,)]

function_exercise(
    "7.2-causal-mask", "Debug: a causal mask that leaks", name="fixed_mask", cases=_SIZES, reference=causal_mask,
    describe=lambda n: f"fixed_mask({n})",
    mistakes={leaky_mask: "{call} is still the leaky mask: query i may see key i + 1, the very token it is "
              "trained to predict, so the training loss can fall to almost nothing while generation fails.",
              lambda n: causal_mask(n).T: "{call} is the upper triangle: query i would attend to the future keys "
              "j >= i. Rows are queries, columns keys; keep j <= i.",
              lambda n: ~causal_mask(n): "{call} is True where attending is forbidden (PyTorch's convention); the "
              "course's mask is True where a query MAY attend.",
              lambda n: torch.ones(n, n, dtype=torch.bool).tril(diagonal=-1): "{call} leaves out the diagonal: a "
              "position may attend to itself (j <= i, not j < i). The first position would have nothing to "
              "attend to."},
    hint="Entry (i, j) is True exactly when j <= i: the lower triangle, diagonal included.",
    praise="No query sees a later key: the proof of the section holds again, and the loss is honest.")


def _prefix_lm_mask(n: int, prefix: int) -> torch.Tensor:
    keys = torch.arange(n)[None, :]
    return causal_mask(n) | (keys < prefix)


_PREFIX_CASES = [(6, 3), (5, 1), (4, 4), (7, 0)]

function_exercise(
    "7.2-prefix-lm-mask", "Transfer: the mask of a prefix language model", name="prefix_lm_mask",
    cases=_PREFIX_CASES, reference=_prefix_lm_mask, describe=lambda n, p: f"prefix_lm_mask({n}, prefix={p})",
    mistakes={lambda n, p: causal_mask(n): "{call} is the causal mask alone: the prefix positions must see the "
              "whole prefix, the later ones too (keys j < prefix are visible to every query).",
              lambda n, p: causal_mask(n) | (torch.arange(n)[:, None] < p): "{call} lets the prefix positions see "
              "the whole sequence, the target after the prefix included: that leaks what the model is trained "
              "to write. Open the prefix KEYS (columns j < prefix), not the prefix queries' rows.",
              lambda n, p: causal_mask(n) | (torch.arange(n)[None, :] <= p): "{call} opens one key too many: the "
              "prefix is the keys 0 .. prefix - 1 (j < prefix).",
              lambda n, p: torch.ones(n, n, dtype=torch.bool): "{call} lets every position see every other: an "
              "encoder's mask, not a language model's."},
    hint="Entry (i, j) is True when j <= i (causal) or when key j lies in the prefix (j < prefix).",
    praise="Every query sees the whole prefix, and after it the model still writes causally: the prefix is read "
           "like an encoder's input, the rest is generated like a decoder's.")


_FORCED = ["under teacher forcing every position reads the real text up to its own, and the leaky model also reads "
           "the next character, the one it is scored on; the honest loss cuts the window before that character",
           "the held-out novel is easier than the training novels",
           "the leaky model overfits the training text",
           "the causal mask slows learning down, so the masked model is still behind"]

choice_exercise(
    "7.2-forced-loss", "Explain: a held-out loss that leaks too", options=_FORCED, answer=_FORCED[0],
    praise="A loss is only as honest as what the model may read when it is computed: teacher forcing feeds the "
           "true text, so any leak in the mask leaks into the held-out loss as well.",
    wrong={_FORCED[1]: "Both models are measured on the same held-out text; an easier text would help both, not only "
                       "the leaky one.",
           _FORCED[2]: "Overfitting would raise the held-out loss, not lower it; here the leaky model's forced "
                       "held-out loss is low and only its honest loss is high.",
           _FORCED[3]: "The masked model is the one whose honest and forced losses agree; the leaky model's low "
                       "forced loss is not progress but a peek at the answer."})
