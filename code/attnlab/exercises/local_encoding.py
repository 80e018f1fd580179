"""Exercises of chapter 2, "Local encoding: what a CNN and an RNN can see"."""

import torch

from ..measure import receptive_field
from .answers import call
from .core import exercise
from .declarations import function_exercise, number_exercise

_CASES = [(1, 3, 1), (4, 3, 1), (3, 5, 1), (2, 3, 4), (3, 2, 2), (5, 7, 3)]


function_exercise(
    "2.1-receptive-field", name="my_receptive_field", cases=_CASES, reference=receptive_field,
    describe=lambda n, k, d: f"my_receptive_field(n_layers={n}, kernel_size={k}, dilation={d})", atol=0.25,
    rtol=0.0,
    mistakes={"no-dilation": lambda n, k, d: 1 + n * (k - 1),
              "adds-k": lambda n, k, d: n * k * d,
              "adds-k-undilated": lambda n, k, d: n * k,
              "no-plus-one": lambda n, k, d: n * (k - 1) * d})


def _fewest_layers(n_tokens: int, kernel_size: int) -> int:
    depth = 1
    while receptive_field(depth, kernel_size) < n_tokens:
        depth += 1
    return depth


number_exercise(
    "2.1-depth-for-length", answer=_fewest_layers(100, 7),
    wrong={"one-sided": 33,
           "too-shallow": 16,
           "adds-k": 15,
           "adds-k-rounded-down": 14})


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
    "2.1-clip-grad-norm", name="my_clip", cases=_clip_cases(),
    reference=lambda grads, m: tuple(_reference_clip(grads, m)),
    describe=lambda grads, m: f"my_clip(grads, max_norm={m:g}) (total norm {_total(grads):.3g})",
    parts=tuple(f"clipped gradient {i}" for i in range(2)), atol=1e-5,
    mistakes={"per-tensor": lambda grads, m: _scaled(grads, lambda g: min(1.0, m / (g.double().norm().item() + 1e-6))),
              "clamped": lambda grads, m: tuple(g.double().clamp(-m, m) for g in grads),
              "scaled-up": lambda grads, m: _scaled(grads, lambda g: m / _total(grads)),
              "unchanged": lambda grads, m: _scaled(grads, lambda g: 1.0)})


def _two_layer_lstm() -> torch.nn.LSTM:
    """A bidirectional LSTM of two layers with PyTorch's random initial biases, drawn without
    touching the global random state."""
    with torch.random.fork_rng():
        torch.manual_seed(21)
        return torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)


@exercise("2.1-forget-bias")
def _(answer, wrong):
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
            raise wrong("layer-untouched", suffix=suffix, layers=lstm.num_layers)
        if torch.allclose(effective, torch.full_like(effective, 2 * value)):
            raise wrong("set-both")
        if torch.allclose(ih[:h] + hh[:h], torch.full((h,), value)):
            raise wrong("input-gate")
        raise wrong("wrong-sum", suffix=suffix, sums=[round(x, 2) for x in effective.tolist()], value=value)
    for name, p in lstm.named_parameters():
        keep = torch.ones_like(p, dtype=torch.bool)
        if name.startswith("bias"):
            keep[forget] = False
        if not torch.equal(p.detach()[keep], before[name][keep]):
            raise wrong("outside-forget-rows", name=name)
