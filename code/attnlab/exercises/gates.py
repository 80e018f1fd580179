"""Exercises of chapter 6, "Gates as attention" (gates.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_number, as_tensor, call, choice_exercise, exercise, expect_close

_generator = torch.Generator().manual_seed(61)
_D_INPUT, _D_HIDDEN, _BATCH = 3, 4, 5
_X = torch.randn(_BATCH, _D_INPUT, generator=_generator, dtype=torch.float64)
_H = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_C = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_W_IH = torch.randn(4 * _D_HIDDEN, _D_INPUT, generator=_generator, dtype=torch.float64)
_W_HH = torch.randn(4 * _D_HIDDEN, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_BIAS = torch.randn(4 * _D_HIDDEN, generator=_generator, dtype=torch.float64)


def _step(order="ifgo", h_of_c=torch.tanh, candidate=torch.tanh):
    blocks = dict(zip(order, (_X @ _W_IH.T + _H @ _W_HH.T + _BIAS).chunk(4, dim=-1)))
    c = torch.sigmoid(blocks["f"]) * _C + torch.sigmoid(blocks["i"]) * candidate(blocks["g"])
    return torch.sigmoid(blocks["o"]) * h_of_c(c), c


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


@exercise("6.1-lstm-step", "One LSTM step")
def _(answer):
    cell = torch.nn.LSTMCell(_D_INPUT, _D_HIDDEN).double()
    with torch.no_grad():
        cell.weight_ih.copy_(_W_IH), cell.weight_hh.copy_(_W_HH)
        cell.bias_ih.copy_(_BIAS), cell.bias_hh.zero_()
        expected_h, expected_c = cell(_X, (_H, _C))
    result = call(answer, _X.clone(), _H.clone(), _C.clone(), _W_IH.clone(), _W_HH.clone(), _BIAS.clone())
    if result is None:
        raise Incorrect("your function returned None (is the `...` of the starter cell still there?); "
                        "it should end with `return h, c`.")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect(f"return the pair (h, c): the new hidden state and the new memory; you returned "
                        f"a {type(result).__name__}.")
    h = as_tensor(result[0], "your h", shape=(_BATCH, _D_HIDDEN))
    c = as_tensor(result[1], "your c", shape=(_BATCH, _D_HIDDEN))
    if _close(h, expected_h) and _close(c, expected_c):
        return ("The memory is a gated sum, f * c + i * g: nothing forces the gates of different steps to "
                "share anything, unlike a softmax over positions.")
    if _close(h, expected_c) and _close(c, expected_h):
        raise Incorrect("h and c are swapped: return (h, c), the hidden state first.")
    for order in ("ifog", "igfo", "fiog", "figo"):
        if _close(c, _step(order)[1]):
            raise Incorrect(f"the gate blocks are in the order {', '.join(order)}; PyTorch's order is input, "
                            "forget, candidate (g), output: chunk(4) gives i, f, g, o.")
    if _close(c, _step(candidate=torch.sigmoid)[1]):
        raise Incorrect("the candidate g uses tanh, not a sigmoid: it is the new content (in -1..1), not a gate.")
    if _close(c, expected_c) and _close(h, _step(h_of_c=lambda m: m)[0]):
        raise Incorrect("c is right; h is o * tanh(c), not o * c.")
    if _close(c, expected_c):
        raise Incorrect("c is right, h is not: h = sigmoid(o) * tanh(c), with the new c.")
    expect_close(c, expected_c, "your c", hint="c = sigmoid(f) * c_previous + sigmoid(i) * tanh(g).")
    return ""


_A = torch.randn(3, 12, generator=_generator, dtype=torch.float64)
_B = torch.stack([_A[0] ** 3 + 0.05 * _A[0], -_A[1].exp(), torch.randn(12, generator=_generator, dtype=torch.float64)])


def _ranks(x: torch.Tensor) -> torch.Tensor:
    return x.argsort().argsort().double()


def _pearson(x: torch.Tensor, y: torch.Tensor) -> float:
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / (x.norm() * y.norm()))


@exercise("6.1-spearman", "Spearman's rank correlation")
def _(answer):
    for a, b in zip(_A, _B):
        given = as_number(call(answer, a.clone(), b.clone()), "your correlation")
        expected = _pearson(_ranks(a), _ranks(b))
        if abs(given - expected) <= 1e-6:
            continue
        if abs(given - _pearson(a, b)) <= 1e-6:
            raise Incorrect("that is the Pearson correlation of the values; Spearman's correlates their ranks, "
                            "so any increasing relation (like b = a³) gives exactly 1.")
        if abs(given - _pearson(a.argsort().double(), b.argsort().double())) <= 1e-6:
            raise Incorrect("argsort gives the order (which index holds the smallest value), not the ranks; "
                            "apply argsort twice to get each value's rank.")
        raise Incorrect(f"for one pair you returned {given:.4f} where Spearman's correlation is {expected:.4f}. "
                        "Rank each vector, centre the ranks, then divide their dot product by both norms.")
    return "Ranks make the measure blind to scale: a gate in (0, 1) and a weight summing to 1 can be compared."


choice_exercise(
    "6.1-competition", "Where does the budget of 1 come from?",
    options=["every attention weight is near 1", "every attention weight is 0.1, every input gate near 1",
             "every attention weight and every input gate is 0.1", "every input gate is 0.1"],
    answer="every attention weight is 0.1, every input gate near 1",
    praise="The softmax divides by the sum over the words, so equal scores share the budget; each sigmoid "
           "sees its own score only, and σ(8) ≈ 0.9997.",
    wrong={"every attention weight is near 1": "the softmax weights always sum to 1 over the words, so ten of "
                                               "them cannot all be near 1; equal scores give equal shares.",
           "every attention weight and every input gate is 0.1": "the attention weights are 0.1, but a gate is a "
                                                                 "sigmoid of its own score: σ(8) is near 1, "
                                                                 "whatever the other words do.",
           "every input gate is 0.1": "a gate does not divide by the other words: σ(8) ≈ 0.9997 for each of them."})
