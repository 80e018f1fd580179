"""Exercises of chapter 2, "Local encoding: what a CNN and an RNN can see"."""

import torch

from .core import Incorrect, call, exercise, function_exercise, number_exercise
from ..measure import receptive_field

_CASES = [(1, 3, 1), (4, 3, 1), (3, 5, 1), (2, 3, 4), (3, 2, 2), (5, 7, 3)]


_STEP = "windows of neighbouring layers overlap: a layer adds k - 1 positions, not k."

function_exercise(
    "2.1-receptive-field", "The receptive field of dilated convolutions", name="my_receptive_field", cases=_CASES,
    reference=receptive_field, atol=0.25, rtol=0.0,
    describe=lambda n, k, d: f"my_receptive_field(n_layers={n}, kernel_size={k}, dilation={d})",
    mistakes={lambda n, k, d: 1 + n * (k - 1): "{call}: you ignored the dilation: each of the k - 1 gaps spans "
              "`dilation` positions.",
              lambda n, k, d: n * k * d: "{call}: " + _STEP,
              lambda n, k, d: n * k: "{call}: " + _STEP,
              lambda n, k, d: n * (k - 1) * d: "{call}: don't forget the output's own position (the + 1)."},
    hint="Count how many positions one more layer adds to the window.",
    praise="Dilation multiplies the reach without adding parameters.")


def _fewest_layers(n_tokens: int, kernel_size: int) -> int:
    depth = 1
    while receptive_field(depth, kernel_size) < n_tokens:
        depth += 1
    return depth


number_exercise(
    "2.1-depth-for-length", "How deep for 100 tokens?", answer=_fewest_layers(100, 7),
    praise="1 + 6 x 17 = 103 >= 100, while 16 layers see only 97 tokens.",
    hint="Solve 1 + L (k - 1) >= 100 for the smallest whole L.",
    wrong={33: "33 layers let the *last* output see the *first* input; but a middle output sees both ends "
               "with fewer layers, since its window extends both ways.",
           16: "16 layers see 1 + 6 x 16 = 97 tokens: 3 short of 100.",
           15: "each layer adds kernel_size - 1 = 6 positions, not 7: windows overlap.",
           14: "each layer adds kernel_size - 1 = 6 positions, not 7: windows overlap."})


def _clip_cases():
    generator = torch.Generator().manual_seed(2024)
    big = [torch.randn(3, 4, generator=generator) * 5, torch.randn(4, generator=generator) * 5]
    small = [torch.randn(2, 2, generator=generator) * 0.01, torch.randn(3, generator=generator) * 0.01]
    lopsided = [torch.full((2, 3), 0.1), torch.tensor([30.0, -40.0])]
    return [(big, 1.0), (small, 1.0), (lopsided, 5.0), (big, 0.5)]


def _reference_clip(grads, max_norm):
    total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
    return [g.double() * scale for g in grads]


def _scaled(grads, factor):
    return tuple(g.double() * factor(g) for g in grads)


def _total(grads) -> float:
    return torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()


function_exercise(
    "2.1-clip-grad-norm", "Clip the gradient by its global norm", name="my_clip", cases=_clip_cases(),
    reference=lambda grads, m: tuple(_reference_clip(grads, m)), atol=1e-5,
    describe=lambda grads, m: f"my_clip(grads, max_norm={m:g}) (total norm {_total(grads):.3g})",
    parts=tuple(f"clipped gradient {i}" for i in range(2)),
    mistakes={lambda grads, m: _scaled(grads, lambda g: min(1.0, m / (g.double().norm().item() + 1e-6))): "you "
              "clipped each tensor on its own: the norm is that of *all* gradients together, sqrt(sum of every "
              "squared entry), and one factor scales them all.",
              lambda grads, m: tuple(g.double().clamp(-m, m) for g in grads): "clamping each entry to [-max_norm, "
              "max_norm] changes the gradient's direction; scale all entries by one factor instead.",
              lambda grads, m: _scaled(grads, lambda g: m / _total(grads)): "for {call}: the norm is below "
              "max_norm, so leave the gradients unchanged (clipping only ever scales down).",
              lambda grads, m: _scaled(grads, lambda g: 1.0): "for {call}: the norm is above max_norm, so the "
              "gradients must be scaled down by max_norm / norm; you returned them unchanged."},
    hint="Scale every gradient by min(1, max_norm / total_norm), the total norm being that of all the entries.",
    praise="One factor for all the gradients: the step keeps its direction and its length is bounded.")


def _two_layer_lstm() -> torch.nn.LSTM:
    """A bidirectional LSTM of two layers with PyTorch's random initial biases, drawn without
    touching the global random state."""
    with torch.random.fork_rng():
        torch.manual_seed(21)
        return torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)


@exercise("2.1-forget-bias", "Debug: a forget bias that reaches one layer")
def _(answer):
    lstm, value = _two_layer_lstm(), 2.5
    before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
    call(answer, lstm, value, name="set_forget_bias")
    h = lstm.hidden_size
    suffixes = [name[len("bias_ih"):] for name in before if name.startswith("bias_ih")]
    forget = slice(h, 2 * h)
    for suffix in suffixes:
        ih, hh = (getattr(lstm, f"bias_{kind}{suffix}").detach() for kind in ("ih", "hh"))
        effective = ih[forget] + hh[forget]
        if torch.allclose(effective, torch.full_like(effective, value)):
            continue
        if torch.equal(ih, before[f"bias_ih{suffix}"]) and torch.equal(hh, before[f"bias_hh{suffix}"]):
            raise Incorrect(f"bias{suffix} was not touched: an LSTM of {lstm.num_layers} layers"
                            f"{', both directions,' if lstm.bidirectional else ''} has one pair of biases per layer and "
                            f"direction. Loop over lstm.named_parameters() and set every pair.")
        if torch.allclose(effective, torch.full_like(effective, 2 * value)):
            raise Incorrect("the forget gate starts at sigmoid(2 * value): PyTorch ADDS bias_ih and bias_hh, so set "
                            "one of them to value and the other to 0.")
        if torch.allclose(ih[:h] + hh[:h], torch.full((h,), value)):
            raise Incorrect("you set the input gate: PyTorch orders the gates input, forget, cell, output, so the "
                            "forget gate is rows hidden_size to 2 * hidden_size.")
        raise Incorrect(f"for bias{suffix} the forget gate's two biases add up to {[round(x, 2) for x in effective.tolist()]}, not {value}: "
                        "bias_ih's forget rows must be value and bias_hh's 0 (or the other way round).")
    for name, p in lstm.named_parameters():
        keep = torch.ones_like(p, dtype=torch.bool)
        if name.startswith("bias"):
            keep[forget] = False
        if not torch.equal(p.detach()[keep], before[name][keep]):
            raise Incorrect(f"{name} changed outside the forget gate's rows: leave the other gates' biases and "
                            f"every weight as they were.")
    return ("Every layer and direction now starts its forget gate at sigmoid(value), the others as PyTorch drew "
            "them: the package's set_forget_bias does the same.")
