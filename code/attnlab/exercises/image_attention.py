"""Exercises of chapter 5, "Attention inside image CNNs" (image-attention.ipynb)."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from .declarations import function_exercise


def _hidden_map() -> torch.Tensor:
    g = torch.Generator().manual_seed(55)
    return torch.randn(2, 6, 4, 5, generator=g, dtype=torch.float64)   # (batch, channels, h, w), h != w


def _hidden_weights():
    g = torch.Generator().manual_seed(56)
    w1, b1 = torch.randn(3, 6, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)
    w2, b2 = torch.randn(6, 3, generator=g, dtype=torch.float64), torch.randn(6, generator=g, dtype=torch.float64)
    return w1, b1, w2, b2


def _excite(x, w1, b1, w2, b2, squeeze=lambda x: x.mean(dim=(2, 3)), gate=torch.sigmoid, relu=F.relu):
    weights = gate(F.linear(relu(F.linear(squeeze(x), w1, b1)), w2, b2))
    return x * weights[:, :, None, None], weights


function_exercise(
    "5.4-squeeze-excitation", name="squeeze_excitation", cases=[(_hidden_map(), *_hidden_weights())],
    reference=_excite, describe=lambda *case: "squeeze_excitation(x, w1, b1, w2, b2)", parts=("output", "weights"),
    atol=1e-6,
    mistakes={"max-squeeze": lambda *case: (None, _excite(*case, squeeze=lambda x: x.amax(dim=(2, 3)))[1]),
              "sum-squeeze": lambda *case: (None, _excite(*case, squeeze=lambda x: x.sum(dim=(2, 3)))[1]),
              "softmax": lambda *case: (None, _excite(*case, gate=lambda s: torch.softmax(s, -1))[1]),
              "no-relu": lambda *case: (None, _excite(*case, relu=lambda h: h)[1]),
              "output-unscaled": lambda *case: (None, _excite(*case)[1])})


def _hidden_kernel():
    g = torch.Generator().manual_seed(57)
    return torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)


def _spatial(x, kernel, bias, stack=lambda mean, top: (mean, top), gate=torch.sigmoid):
    summary = torch.cat(stack(x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)), dim=1)
    scores = F.conv2d(summary, kernel, bias, padding=1)[:, 0]                 # (batch, height, width)
    weights = gate(scores.flatten(1)).view_as(scores)
    return x * weights[:, None], weights


function_exercise(
    "5.4-spatial-attention", name="spatial_attention", cases=[(_hidden_map(), *_hidden_kernel())],
    reference=_spatial, describe=lambda *case: "spatial_attention(x, kernel, bias)", parts=("output", "weights"),
    atol=1e-6,
    mistakes={"max-then-mean": lambda *case: (None, _spatial(*case, stack=lambda mean, top: (top, mean))[1]),
              "softmax": lambda *case: (None, _spatial(*case, gate=lambda s: torch.softmax(s, -1))[1]),
              "output-unscaled": lambda *case: (None, _spatial(*case)[1])},
    shapes={(2, 1, 4, 5): "channel-dim-kept"})
