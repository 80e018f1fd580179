"""Measuring what a layer can reach, and what it costs (chapter 2).

- :func:`receptive_field` and :func:`input_dependence`: which inputs an output depends on, by
  formula and by gradients (notebook "Local encoding", section "A convolution sees a window");
- :func:`gradient_by_distance`: how strongly a recurrent final state depends on the input
  ``t`` steps back (same notebook, "A recurrent network: the gradient fades with distance");
- :func:`connects_ends`, :func:`layers_to_connect`, :func:`recurrent_states`, :func:`steps_on_path`:
  the reach of depth ("Seeing further by going deeper") and the path lengths of Vaswani et al.'s
  Table 1 (notebook "Dynamic weights", section "Three layers, measured"). FLOPs, sequential steps
  and wall time are measured with :mod:`attnlab.complexity`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from .checks import require_shape, require_tensor

__all__ = ["receptive_field", "input_dependence", "gradient_by_distance", "connects_ends", "layers_to_connect",
           "recurrent_states", "steps_on_path"]

Sequencewise = Callable[[torch.Tensor], torch.Tensor]


def receptive_field(n_layers: int, kernel_size: int, dilation: int = 1) -> int:
    """The number of inputs one output of ``n_layers`` stacked convolutions sees:
    ``1 + n_layers * (kernel_size - 1) * dilation``."""
    for name, value in (("n_layers", n_layers), ("kernel_size", kernel_size), ("dilation", dilation)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return 1 + n_layers * (kernel_size - 1) * dilation


def input_dependence(function: Sequencewise, inputs: torch.Tensor, position: int) -> torch.Tensor:
    """How much output ``position`` depends on each input position.

    function: (batch, seq_len, d_in) -> (batch, seq_len, d_out); inputs: (batch, seq_len, d_in).
    Returns (seq_len,): the norm of the gradient of ``function(inputs)[:, position].sum()``
    with respect to each input position. Exactly 0 where the output cannot see the input.
    """
    require_tensor("inputs", inputs, "(batch, seq_len, d_in)", dim=3)
    if not -inputs.shape[1] <= position < inputs.shape[1]:
        raise ValueError(f"position must lie in 0 .. {inputs.shape[1] - 1}, got {position}")
    inputs = inputs.detach().clone().requires_grad_(True)
    outputs = function(inputs)
    require_tensor("function(inputs)", outputs, "(batch, seq_len, d_out)", dim=3)
    (grad,) = torch.autograd.grad(outputs[:, position].sum(), inputs)
    return grad.norm(dim=-1).sum(dim=0)


def gradient_by_distance(encoder: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor) -> torch.Tensor:
    """How strongly a final state depends on the input ``t`` steps before the end.

    encoder: (batch, seq_len, d_in) -> final state (batch, d_hidden); inputs: (batch, seq_len, d_in).
    Returns (seq_len,): entry ``t`` is the Frobenius norm of the Jacobian
    ``d final / d inputs[:, seq_len - 1 - t]``, averaged over the batch (t = 0 is the last input).
    """
    require_tensor("inputs", inputs, "(batch, seq_len, d_in)", dim=3)
    batch = inputs.shape[0]
    probe = encoder(inputs[:1])
    require_tensor("encoder(inputs)", probe, "(batch, d_hidden)")
    require_shape("encoder(inputs)", probe, (1, None), "(batch, d_hidden)", hint="for a batch of 1")
    d_hidden = probe.shape[1]
    # One copy of the batch per hidden unit: copy u back-propagates only unit u, so a single
    # backward pass yields every row of every sample's Jacobian (the samples are independent).
    copies = inputs.detach().repeat(d_hidden, 1, 1).requires_grad_(True)
    final = encoder(copies)                                              # (d_hidden * batch, d_hidden)
    unit = torch.arange(d_hidden).repeat_interleave(batch)
    (grad,) = torch.autograd.grad(final[torch.arange(len(copies)), unit].sum(), copies)
    squared = grad.pow(2).sum(dim=-1).view(d_hidden, batch, -1).sum(dim=0)  # (batch, seq_len)
    return squared.sqrt().mean(dim=0).flip(0)


def _end_tangents(inputs: torch.Tensor) -> list[torch.Tensor]:
    tangents = [torch.zeros_like(inputs), torch.zeros_like(inputs)]
    tangents[0][:, 0], tangents[1][:, -1] = 1.0, 1.0
    return tangents


def _sees_both(tangents: list[torch.Tensor]) -> bool:
    first, last = (t.abs().sum(dim=(0, 2)) > 0 for t in tangents)
    return bool((first & last).any())


def connects_ends(function: Sequencewise, inputs: torch.Tensor) -> bool:
    """Whether some output of ``function`` depends on both the first and the last input position.

    function: (batch, seq_len, d_in) -> (batch, seq_len, d_out); inputs: (1, seq_len, d_in).
    Uses forward-mode differentiation: a tangent put on one input position stays exactly zero at
    every output that cannot see it. (Use layers without ReLU: a ReLU adds zeros that depend on
    the data, not on the wiring.)
    """
    require_tensor("inputs", inputs, "(batch, seq_len, d_in)", dim=3)
    return _sees_both([torch.func.jvp(function, (inputs,), (t,))[1] for t in _end_tangents(inputs)])


def layers_to_connect(make_layer: Callable[[], nn.Module], seq_len: int, d_model: int,
                      max_layers: int = 512) -> int:
    """The fewest stacked layers after which some output depends on both the first and the last
    input: the maximum path length, in layers, between two positions of a sequence of ``seq_len``.

    make_layer() -> a module mapping (batch, seq_len, d_model) -> (batch, seq_len, d_model),
    without ReLU (see :func:`connects_ends`). Raises if ``max_layers`` are not enough.
    """
    x = torch.randn(1, seq_len, d_model, generator=torch.Generator().manual_seed(0))
    tangents = _end_tangents(x)
    with torch.no_grad():
        for depth in range(1, max_layers + 1):
            layer = make_layer()
            pushed = [torch.func.jvp(layer, (x,), (t,)) for t in tangents]  # one layer at a time
            # Tangents are linear in what is pushed in: rescale them so a deep stack cannot underflow.
            x, tangents = pushed[0][0], [t / t.abs().max().clamp(min=1e-30) for _, t in pushed]
            if _sees_both(tangents):
                return depth
    raise RuntimeError(f"no output sees both ends after max_layers={max_layers} layers")


def recurrent_states(cell: nn.RNNCell, steps: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Run ``cell`` step by step over ``steps`` (seq_len tensors of shape (batch, d_in)).

    Returns the seq_len states (batch, d_hidden). Written as an explicit loop so that every step
    is its own node in the autograd graph (what :func:`steps_on_path` counts).
    """
    if len(steps) == 0 or not all(torch.is_tensor(x) and x.dim() == 2 for x in steps):
        raise ValueError("steps must be a non-empty sequence of tensors of shape (batch, d_in)")
    state = torch.zeros(steps[0].shape[0], cell.hidden_size)
    states = []
    for x in steps:
        state = cell(x, state)
        states.append(state)
    return states


_WEIGHT_OPS = ("AddmmBackward", "MmBackward", "BmmBackward", "ConvolutionBackward")


def steps_on_path(output: torch.Tensor, source: torch.Tensor) -> int:
    """The fewest weight applications (matrix products, convolutions) on any path of the
    autograd graph from the leaf tensor ``source`` to ``output``; raises if none exists."""
    if not (torch.is_tensor(source) and source.requires_grad and source.grad_fn is None):
        raise ValueError("source must be a leaf tensor with requires_grad=True")
    if not torch.is_tensor(output) or output.grad_fn is None:
        raise ValueError("output must be a tensor computed from source (it has no grad_fn)")
    best: dict = {}
    frontier = [(0, output.grad_fn)]
    while frontier:  # Dijkstra with 0/1 edge weights (few nodes: a plain sorted list will do)
        frontier.sort(key=lambda item: item[0])
        cost, node = frontier.pop(0)
        if node is None or best.get(node, cost + 1) <= cost:
            continue
        best[node] = cost
        if getattr(node, "variable", None) is source:
            return cost
        step = cost + any(node.name().startswith(op) for op in _WEIGHT_OPS)
        frontier.extend((step, child) for child, _ in node.next_functions)
    raise ValueError("output does not depend on source")
