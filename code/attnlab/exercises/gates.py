"""Exercises of chapter 6, "Gates as attention" (gates.ipynb)."""

from __future__ import annotations

import torch

from .core import choice_exercise, function_exercise

_generator = torch.Generator().manual_seed(61)
_D_INPUT, _D_HIDDEN, _BATCH = 3, 4, 5
_X = torch.randn(_BATCH, _D_INPUT, generator=_generator, dtype=torch.float64)
_H = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_C = torch.randn(_BATCH, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_W_IH = torch.randn(4 * _D_HIDDEN, _D_INPUT, generator=_generator, dtype=torch.float64)
_W_HH = torch.randn(4 * _D_HIDDEN, _D_HIDDEN, generator=_generator, dtype=torch.float64)
_BIAS = torch.randn(4 * _D_HIDDEN, generator=_generator, dtype=torch.float64)


def _step(x, h, c, w_ih, w_hh, bias, order="ifgo", h_of_c=torch.tanh, candidate=torch.tanh):
    blocks = dict(zip(order, (x @ w_ih.T + h @ w_hh.T + bias).chunk(4, dim=-1)))
    c = torch.sigmoid(blocks["f"]) * c + torch.sigmoid(blocks["i"]) * candidate(blocks["g"])
    return torch.sigmoid(blocks["o"]) * h_of_c(c), c


_ORDER = ("the gate blocks are in the order {}; PyTorch's order is input, forget, candidate (g), output: chunk(4) "
          "gives i, f, g, o.")

function_exercise(
    "6.1-lstm-step", "One LSTM step", name="my_lstm_step", cases=[(_X, _H, _C, _W_IH, _W_HH, _BIAS)],
    reference=_step, atol=1e-6, rtol=1e-6, describe=lambda *case: "my_lstm_step(x, h, c, w_ih, w_hh, bias)",
    parts=("h", "c"),
    mistakes={lambda *case: _step(*case)[::-1]: "h and c are swapped: return (h, c), the hidden state first.",
              **{(lambda *case, order=order: _step(*case, order=order)): _ORDER.format(", ".join(order))
                 for order in ("ifog", "igfo", "fiog", "figo")},
              lambda *case: _step(*case, candidate=torch.sigmoid): "the candidate g uses tanh, not a sigmoid: it is "
              "the new content (in -1..1), not a gate.",
              lambda *case: _step(*case, h_of_c=lambda m: m): "c is right; h is o * tanh(c), not o * c."},
    hint="c = sigmoid(f) * c_previous + sigmoid(i) * tanh(g), and h = sigmoid(o) * tanh(c) with the new c.",
    praise="The memory is a gated sum, f * c + i * g: nothing forces the gates of different steps to share "
           "anything, unlike a softmax over positions.")


_A = torch.randn(3, 12, generator=_generator, dtype=torch.float64)
_B = torch.stack([_A[0] ** 3 + 0.05 * _A[0], -_A[1].exp(), torch.randn(12, generator=_generator, dtype=torch.float64)])


def _ranks(x: torch.Tensor) -> torch.Tensor:
    return x.argsort().argsort().double()


def _pearson(x: torch.Tensor, y: torch.Tensor) -> float:
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / (x.norm() * y.norm()))


function_exercise(
    "6.1-spearman", "Spearman's rank correlation", name="my_spearman", cases=list(zip(_A, _B)),
    reference=lambda a, b: _pearson(_ranks(a), _ranks(b)), atol=1e-6, rtol=0.0,
    describe=lambda *case: "my_spearman(a, b)",
    mistakes={_pearson: "that is the Pearson correlation of the values; Spearman's correlates their ranks, so any "
              "increasing relation (like b = a³) gives exactly 1.",
              lambda a, b: _pearson(a.argsort().double(), b.argsort().double()): "argsort gives the order (which "
              "index holds the smallest value), not the ranks; apply argsort twice to get each value's rank."},
    hint="Rank each vector, centre the ranks, then divide their dot product by both norms.",
    praise="Ranks make the measure blind to scale: a gate in (0, 1) and a weight summing to 1 can be compared.")


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
