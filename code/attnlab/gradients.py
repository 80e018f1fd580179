"""Gradients by layer (chapter 7, "Post-LN or pre-LN: does the order matter?").

Xiong et al. (2020) argue that post-LN Transformers need a learning-rate warm-up because, at
initialisation, the gradients of a post-LN stack are largest in the layers nearest the output
(they do not shrink with depth), so a large step at the start throws those layers off, while a
pre-LN stack's gradients are scaled down by the square root of its depth. Whether a given
model shows it is a measurement: :func:`layer_gradient_norms` takes it on any stack, the
norm of the loss's gradient with respect to each layer's parameters (or one of them, such as the
second weight matrix of the feed-forward network, the parameter of their Figure 3).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .checks import require_tensor

__all__ = ["layer_gradient_norms"]


def layer_gradient_norms(layers: Sequence[nn.Module], loss: torch.Tensor, *,
                         parameter: str | None = None) -> torch.Tensor:
    """The gradient norm of ``loss`` with respect to each of ``layers``, first layer first.

    layers: the stack's layers (e.g. ``model.encoder.layers``); loss: a scalar computed through
    them. With ``parameter`` (a dotted name inside a layer, e.g. ``"feed_forward.linear2.weight"``),
    only that parameter of each layer counts; without, all of a layer's parameters together.
    Returns (n_layers,): the Frobenius norm of each layer's gradient, taken with
    :func:`torch.autograd.grad`, so the parameters' ``.grad`` are left as they were (and the graph is
    kept: the same loss can be measured again, or backpropagated). A parameter the loss does not
    reach counts as a zero gradient.
    """
    layers = list(layers)
    if not layers or not all(isinstance(layer, nn.Module) for layer in layers):
        raise TypeError("layers must be a non-empty sequence of nn.Module (e.g. model.encoder.layers)")
    require_tensor("loss", loss, "() (a scalar)", dim=0)
    if not loss.requires_grad:
        raise ValueError("loss does not require grad: compute it from the model, outside torch.no_grad()")
    groups = []
    for index, layer in enumerate(layers):
        named = dict(layer.named_parameters())
        if parameter is not None and parameter not in named:
            raise ValueError(f"layer {index} has no parameter {parameter!r}; it has {', '.join(named)}")
        groups.append([named[parameter]] if parameter is not None else list(named.values()))
    flat = [p for group in groups for p in group]
    grads = torch.autograd.grad(loss, flat, retain_graph=True, allow_unused=True)
    norms, start = [], 0
    for group in groups:
        squares = [(g.double() ** 2).sum() for g in grads[start:start + len(group)] if g is not None]
        norms.append(torch.stack(squares).sum().sqrt() if squares else torch.zeros((), dtype=torch.float64))
        start += len(group)
    return torch.stack(norms).to(loss.dtype)
