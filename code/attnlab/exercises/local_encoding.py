"""Exercises of chapter 2, "Local encoding: what a CNN and an RNN can see"."""

import torch

from .core import Incorrect, as_number, as_tensor, call, exercise, expect_close, number_exercise
from ..measure import receptive_field

_CASES = [(1, 3, 1), (4, 3, 1), (3, 5, 1), (2, 3, 4), (3, 2, 2), (5, 7, 3)]


@exercise("2.1-receptive-field", "The receptive field of dilated convolutions")
def _(answer):
    for n_layers, kernel_size, dilation in _CASES:
        got = as_number(call(answer, n_layers, kernel_size, dilation), "your receptive field")
        expected = 1 + n_layers * (kernel_size - 1) * dilation
        if got == expected:
            continue
        if dilation > 1 and got == 1 + n_layers * (kernel_size - 1):
            hint = "you ignored the dilation: each of the k - 1 gaps spans `dilation` positions."
        elif got == n_layers * kernel_size * dilation or got == n_layers * kernel_size:
            hint = "windows of neighbouring layers overlap: a layer adds k - 1 positions, not k."
        elif got == expected - 1:
            hint = "don't forget the output's own position (the + 1)."
        else:
            hint = "count how many positions one more layer adds to the window."
        raise Incorrect(f"for n_layers={n_layers}, kernel_size={kernel_size}, dilation={dilation} you "
                        f"return {got:g}, but the stack sees {expected} positions; {hint}")
    return "Dilation multiplies the reach without adding parameters."


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


@exercise("2.1-clip-grad-norm", "Clip the gradient by its global norm")
def _(answer):
    for grads, max_norm in _clip_cases():
        given = [g.clone() for g in grads]
        result = call(answer, given, max_norm)
        if result is None:
            raise Incorrect("your function returned None: return the list of clipped gradients.")
        if not isinstance(result, (list, tuple)) or len(result) != len(grads):
            raise Incorrect(f"return a list of {len(grads)} tensors, one per gradient, in the same order; "
                            f"you returned a {type(result).__name__}"
                            f"{' of length ' + str(len(result)) if isinstance(result, (list, tuple)) else ''}.")
        got = [as_tensor(r, f"clipped gradient {i}", shape=tuple(g.shape)) for i, (r, g) in enumerate(zip(result, grads))]
        expected = _reference_clip(grads, max_norm)
        if all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, expected)):
            continue
        total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()
        per_tensor = [g.double() * min(1.0, max_norm / (g.double().norm().item() + 1e-6)) for g in grads]
        clamped = [g.double().clamp(-max_norm, max_norm) for g in grads]
        always = [g.double() * max_norm / total for g in grads]
        if all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, per_tensor)):
            raise Incorrect("you clipped each tensor on its own: the norm is that of *all* gradients together, "
                            "sqrt(sum of every squared entry), and one factor scales them all.")
        if all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, clamped)):
            raise Incorrect("clamping each entry to [-max_norm, max_norm] changes the gradient's direction; "
                            "scale all entries by one factor instead.")
        if total < max_norm and all(torch.allclose(a, b, atol=1e-5) for a, b in zip(got, always)):
            raise Incorrect(f"the gradients' norm is {total:.3g}, below max_norm={max_norm:g}: leave them "
                            "unchanged (clipping only ever scales down).")
        if all(torch.allclose(a, g.double(), atol=1e-5) for a, g in zip(got, grads)) and total > max_norm:
            raise Incorrect(f"the gradients' norm is {total:.3g}, above max_norm={max_norm:g}, so they must be "
                            "scaled down by max_norm / norm; you returned them unchanged.")
        for i, (a, b) in enumerate(zip(got, expected)):
            expect_close(a, b, f"clipped gradient {i} (max_norm={max_norm:g})",
                         hint="Scale every gradient by min(1, max_norm / total_norm).", atol=1e-5)
    return "One factor for all the gradients: the step keeps its direction and its length is bounded."
