"""Exercises of chapter 5, "Attention inside image CNNs" (image-attention.ipynb)."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from .core import function_exercise


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


_SQUEEZE = "Your squeeze takes {}; squeeze-and-excitation averages each channel over all positions: x.mean(dim=(2, 3))."

function_exercise(
    "5.4-squeeze-excitation", "Squeeze-and-excitation by hand", name="squeeze_excitation",
    cases=[(_hidden_map(), *_hidden_weights())], reference=_excite, atol=1e-6,
    describe=lambda *case: "squeeze_excitation(x, w1, b1, w2, b2)", parts=("output", "weights"),
    mistakes={lambda *case: (None, _excite(*case, squeeze=lambda x: x.amax(dim=(2, 3)))[1]):
              _SQUEEZE.format("the maximum over positions"),
              lambda *case: (None, _excite(*case, squeeze=lambda x: x.sum(dim=(2, 3)))[1]):
              _SQUEEZE.format("the sum over positions"),
              lambda *case: (None, _excite(*case, gate=lambda s: torch.softmax(s, -1))[1]): "You used a softmax over "
              "the channels. Each channel gets its own gate in (0, 1), independent of the others: a sigmoid.",
              lambda *case: (None, _excite(*case, relu=lambda h: h)[1]): "You left out the ReLU between the two "
              "linear layers.",
              lambda *case: (None, _excite(*case)[1]): "The weights are right; the output should be x scaled channel "
              "by channel: x * weights[:, :, None, None]."},
    hint="weights = sigmoid(W2 relu(W1 s + b1) + b2) with s the channel means (F.linear(s, w1, b1) computes "
         "W1 s + b1); output = x * weights[:, :, None, None].",
    praise="One gate per channel, computed from the whole map: channel attention.")


def _hidden_kernel():
    g = torch.Generator().manual_seed(57)
    return torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)


def _spatial(x, kernel, bias, stack=lambda mean, top: (mean, top), gate=torch.sigmoid):
    summary = torch.cat(stack(x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)), dim=1)
    scores = F.conv2d(summary, kernel, bias, padding=1)[:, 0]                 # (batch, height, width)
    weights = gate(scores.flatten(1)).view_as(scores)
    return x * weights[:, None], weights


function_exercise(
    "5.4-spatial-attention", "CBAM's spatial attention by hand", name="spatial_attention",
    cases=[(_hidden_map(), *_hidden_kernel())], reference=_spatial, atol=1e-6,
    describe=lambda *case: "spatial_attention(x, kernel, bias)", parts=("output", "weights"),
    mistakes={lambda *case: (None, _spatial(*case, stack=lambda mean, top: (top, mean))[1]): "You stacked [max, "
              "mean]; CBAM stacks [mean, max] (the kernel's first input channel reads the mean).",
              lambda *case: (None, _spatial(*case, gate=lambda s: torch.softmax(s, -1))[1]): "You used a softmax "
              "over the positions. CBAM gives each position its own gate in (0, 1): a sigmoid.",
              lambda *case: (None, _spatial(*case)[1]): "The weights are right; the output should scale every "
              "channel at a position by that position's weight: x * weights[:, None]."},
    shape_messages={(2, 1, 4, 5): "Your weights have shape (batch, 1, height, width); return one weight per "
                                  "position, (batch, height, width): weights[:, 0]."},
    hint="weights = sigmoid(conv2d([mean over channels, max over channels], kernel, bias, padding=1)), one per "
         "position: shape (batch, height, width); output = x * weights[:, None].",
    praise="One gate per position, shared by all channels: spatial attention.")
