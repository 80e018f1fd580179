"""Exercises of chapter 1, "The bottleneck" (bottleneck.ipynb)."""

from __future__ import annotations

import math

import torch

from .core import choice_exercise, function_exercise, number_exercise

_CASES = [(4, 8), (1, 8), (16, 8), (10, 2), (3, 10), (32, 16)]  # the first tells every mistake apart


function_exercise(
    "1.2-bits", "How many bits must the final state hold?", name="bits_needed", cases=_CASES,
    reference=lambda n, v: n * math.log2(v), atol=1e-9, rtol=1e-6,
    describe=lambda n, v: f"bits_needed({n}, {v})",
    mistakes={lambda n, v: n * math.log(v): "You used the natural logarithm, which counts nats. A bit is a "
              "yes/no answer: use math.log2.",
              lambda n, v: math.log2(v): "That is the information in ONE value. The final state must hold every "
              "pair's value, since any key may be asked.",
              lambda n, v: n * v: "n_pairs * n_values counts possible values, not bits. One value out of "
              "n_values carries log2(n_values) bits.",
              lambda n, v: v ** n: "n_values ** n_pairs is the number of different answer tables; the bits "
              "needed to tell them apart is its log2."},
    hint="The final state must hold each pair's value, log2(n_values) bits each.",
    praise="It grows linearly with the number of pairs: a fixed-size state must run out.")


def _gru_parameters(d_in: int, d: int) -> int:
    return sum(p.numel() for p in torch.nn.GRU(d_in, d).parameters())


_D_IN, _D = 32, 128
number_exercise(
    "1.2-gru-parameters", "Predict the parameters of a GRU of width 128",
    answer=_gru_parameters(_D_IN, _D),
    praise="Three gates, each with d_in * d + d * d weights and 2 * d biases: the d * d part dominates, "
           "so the layer grows with the square of its width.",
    hint="Count, for each of the three gates, the input weights (d_in x d), the state weights (d x d) "
         "and two bias vectors of width d.",
    wrong={3 * (_D_IN * _D + _D * _D): "Close: you forgot the biases, two vectors of width d per gate.",
           3 * (_D_IN * _D + _D * _D + _D): "Close: PyTorch keeps TWO bias vectors per gate (one for the "
                                            "input, one for the state).",
           _D_IN * _D + _D * _D + 2 * _D: "That is one gate. A GRU has three: reset, update and candidate.",
           4 * (_D_IN * _D + _D * _D + 2 * _D): "Four gates is an LSTM. A GRU has three: reset, update and "
                                                 "candidate.",
           3 * _D * _D: "Those are only the state-to-state weights; add the input weights and the biases."})


_WIDER = ["a wider state holds more, but its cost grows with the square of its width, and every pair must still "
          "be carried to the end; attention keeps every state and reads the one asked about",
          "a wider state cannot hold more information than a narrow one",
          "the attention model has more parameters",
          "attention reads the input twice"]

choice_exercise(
    "1.2-why-not-wider", "Explain: why not just a wider state?", options=_WIDER, answer=_WIDER[0],
    praise="The state's capacity grows with its width d, its cost with d²; attention's memory grows with the input "
           "itself, one state per position, at no extra parameter.",
    wrong={_WIDER[1]: "It can: d numbers hold more than d/2 numbers, about d times the bits of one. The trouble is "
                      "the price, d² weights per gate, and that everything must still pass through that one vector.",
           _WIDER[2]: "The comparison was built the other way: the final-state model has the wider state and at "
                      "least as many parameters (the assert of the 'Two read-outs' section).",
           _WIDER[3]: "Both read the sequence once, with the same kind of GRU; the attention read-out then looks back "
                      "at the states already computed."})
