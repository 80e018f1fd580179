"""Exercises of chapter 5, "Attention inside image CNNs" (image-attention.ipynb)."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from .core import Incorrect, as_tensor, call, exercise


def _hidden_map() -> torch.Tensor:
    g = torch.Generator().manual_seed(55)
    return torch.randn(2, 6, 4, 5, generator=g, dtype=torch.float64)   # (batch, channels, h, w), h != w


def _hidden_weights():
    g = torch.Generator().manual_seed(56)
    w1, b1 = torch.randn(3, 6, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)
    w2, b2 = torch.randn(6, 3, generator=g, dtype=torch.float64), torch.randn(6, generator=g, dtype=torch.float64)
    return w1, b1, w2, b2


@exercise("5.4-squeeze-excitation", "Squeeze-and-excitation by hand")
def _(answer):
    x = _hidden_map()
    w1, b1, w2, b2 = _hidden_weights()
    result = call(answer, x.clone(), w1, b1, w2, b2, name="squeeze_excitation")
    if result is None:
        raise Incorrect("squeeze_excitation returned None. Replace the `...` of the starter cell with your code, and end "
                        "the function with `return output, weights`.")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("squeeze_excitation should return two tensors: (output, weights).")
    output = as_tensor(result[0], "output", shape=tuple(x.shape))
    weights = as_tensor(result[1], "weights", shape=(2, 6))
    summary = x.mean(dim=(2, 3))
    expected = torch.sigmoid(F.linear(F.relu(F.linear(summary, w1, b1)), w2, b2))
    wrong_summaries = {"the maximum over positions": x.amax(dim=(2, 3)),
                       "the mean over channels and one spatial axis": x.mean(dim=(1, 2))[:, :1].expand(2, 6),
                       "the sum over positions": x.sum(dim=(2, 3))}
    for what, wrong in wrong_summaries.items():
        if wrong.shape == summary.shape and torch.allclose(
                weights, torch.sigmoid(F.linear(F.relu(F.linear(wrong, w1, b1)), w2, b2)), atol=1e-6):
            raise Incorrect(f"Your squeeze takes {what}; squeeze-and-excitation averages each channel over "
                            f"all positions: x.mean(dim=(2, 3)).")
    if torch.allclose(weights, torch.softmax(F.linear(F.relu(F.linear(summary, w1, b1)), w2, b2), -1), atol=1e-6):
        raise Incorrect("You used a softmax over the channels. Each channel gets its own gate in (0, 1), "
                        "independent of the others: a sigmoid.")
    if torch.allclose(weights, torch.sigmoid(F.linear(F.linear(summary, w1, b1), w2, b2)), atol=1e-6):
        raise Incorrect("You left out the ReLU between the two linear layers.")
    if not torch.allclose(weights, expected, atol=1e-6):
        raise Incorrect("weights should be sigmoid(W2 relu(W1 s + b1) + b2) with s the channel means; "
                        "F.linear(s, w1, b1) computes W1 s + b1.")
    if not torch.allclose(output, x * expected[:, :, None, None], atol=1e-6):
        raise Incorrect("The weights are right; the output should be x scaled channel by channel: "
                        "x * weights[:, :, None, None].")
    return "One gate per channel, computed from the whole map: channel attention."


def _hidden_kernel():
    g = torch.Generator().manual_seed(57)
    return torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)


@exercise("5.4-spatial-attention", "CBAM's spatial attention by hand")
def _(answer):
    x = _hidden_map()
    kernel, bias = _hidden_kernel()
    result = call(answer, x.clone(), kernel, bias, name="spatial_attention")
    if result is None:
        raise Incorrect("spatial_attention returned None. Replace the `...` of the starter cell with your code, and end "
                        "the function with `return output, weights`.")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect("spatial_attention should return two tensors: (output, weights).")
    raw_weights = result[1]
    if torch.is_tensor(raw_weights) and tuple(raw_weights.shape) == (2, 1, 4, 5):
        raw_weights = raw_weights[:, 0]
    weights = as_tensor(raw_weights, "weights", shape=(2, 4, 5))
    output = as_tensor(result[0], "output", shape=tuple(x.shape))
    mean, maximum = x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)

    def gate(summary):
        return torch.sigmoid(F.conv2d(summary, kernel, bias, padding=1))[:, 0]

    expected = gate(torch.cat([mean, maximum], dim=1))
    if torch.allclose(weights, gate(torch.cat([maximum, mean], dim=1)), atol=1e-6):
        raise Incorrect("You stacked [max, mean]; CBAM stacks [mean, max] (the kernel's first input "
                        "channel reads the mean).")
    if torch.allclose(weights, gate(torch.cat([x.mean(dim=(2, 3), keepdim=True).mean(1, keepdim=True).expand_as(mean),
                                               maximum], dim=1)), atol=1e-6):
        raise Incorrect("Average over the channels at each position (dim=1), not over the positions.")
    if torch.allclose(weights, torch.softmax(F.conv2d(torch.cat([mean, maximum], 1), kernel, bias,
                                                      padding=1).flatten(1), -1).view(2, 4, 5), atol=1e-6):
        raise Incorrect("You used a softmax over the positions. CBAM gives each position its own gate in "
                        "(0, 1): a sigmoid.")
    if not torch.allclose(weights, expected, atol=1e-6):
        raise Incorrect("weights should be sigmoid(conv2d([mean over channels, max over channels], kernel, "
                        "bias, padding=1)), one per position: shape (batch, height, width).")
    if not torch.allclose(output, x * expected[:, None], atol=1e-6):
        raise Incorrect("The weights are right; the output should scale every channel at a position by "
                        "that position's weight: x * weights[:, None].")
    return "One gate per position, shared by all channels: spatial attention."
