"""Exercises of chapter 2, "Local encoding: what a CNN and an RNN can see"."""

from .core import Incorrect, as_number, call, exercise

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


@exercise("2.1-depth-for-length", "How deep for 100 tokens?")
def _(answer):
    depth = as_number(answer, "your prediction")
    if depth == 17:
        return "1 + 6 x 17 = 103 >= 100, while 16 layers see only 97 tokens."
    if depth == 33:
        raise Incorrect("33 layers let the *last* output see the *first* input; but a middle output "
                        "sees both ends with fewer layers, since its window extends both ways.")
    if depth == 16:
        raise Incorrect("16 layers see 1 + 6 x 16 = 97 tokens: 3 short of 100.")
    if depth in (14, 15):
        raise Incorrect("each layer adds kernel_size - 1 = 6 positions, not 7: windows overlap.")
    raise Incorrect(f"{depth:g} layers is not the fewest that reach 100 tokens. Solve 1 + L (k - 1) >= 100 for L.")
