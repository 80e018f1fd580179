"""Exercises of chapter 8, "Q1: parallelism, measured" (parallelism.ipynb)."""

from __future__ import annotations

import torch
from torch import nn

from ..complexity import sequential_steps
from ..scan import combine, linear_recurrence
from .core import Deferred, Incorrect, as_tensor, call, choice_exercise, exercise, expect_close, function_exercise, number_exercise

_generator = torch.Generator().manual_seed(81)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


def _pair(result, name: str, shape) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect(f"{name} should be a pair (a, b), but it is a {type(result).__name__}"
                        f"{' of length ' + str(len(result)) if isinstance(result, (tuple, list)) else ''}.")
    return as_tensor(result[0], f"the a of {name}", shape=shape), as_tensor(result[1], f"the b of {name}", shape=shape)


@exercise("8.1-combine", "The combine operator of a linear recurrence")
def _(answer):
    shape = (3, 4)
    first = (torch.rand(shape, generator=_generator, dtype=torch.float64) + 0.5,
             torch.randn(shape, generator=_generator, dtype=torch.float64))
    second = (torch.rand(shape, generator=_generator, dtype=torch.float64) + 0.5,
              torch.randn(shape, generator=_generator, dtype=torch.float64))
    a, b = _pair(call(answer, first, second, name="my_combine"), "your result", shape)
    expected_a, expected_b = combine(first, second)
    if not (_close(a, expected_a) and _close(b, expected_b)):
        swapped_a, swapped_b = combine(second, first)
        if _close(a, swapped_a) and _close(b, swapped_b):
            raise Incorrect("you applied `second` first: (a1, b1) then (a2, b2) is h -> a2 (a1 h + b1) + b2.")
        if _close(a, expected_a) and _close(b, first[1] + second[1]):
            raise Incorrect("b must be a2 * b1 + b2: the second map scales what the first one added.")
        if _close(a, first[0] + second[0]):
            raise Incorrect("the slopes multiply, they do not add: a = a2 * a1.")
        expect_close(a, expected_a, "the a of your result", hint="a = a2 * a1.", atol=1e-6)
        expect_close(b, expected_b, "the b of your result", hint="b = a2 * b1 + b2.", atol=1e-6)
    # A scan built on the learner's operator must reproduce the sequential loop.
    steps_a = torch.rand(13, 2, generator=_generator, dtype=torch.float64)
    steps_b = torch.randn(13, 2, generator=_generator, dtype=torch.float64)
    scan_a, scan_b, offset = steps_a, steps_b, 1
    while offset < 13:
        new = _pair(call(answer, (scan_a[:-offset], scan_b[:-offset]), (scan_a[offset:], scan_b[offset:]),
                         name="my_combine"), "your result", (13 - offset, 2))
        scan_a, scan_b = torch.cat([scan_a[:offset], new[0]]), torch.cat([scan_b[:offset], new[1]])
        offset *= 2
    expect_close(scan_b, linear_recurrence(steps_a, steps_b), "the scan built on your operator", atol=1e-6)
    return "A scan of 13 steps built on your operator took 4 rounds and matched the loop."


_PHI_Q = torch.rand(7, 3, generator=_generator, dtype=torch.float64) + 0.1
_PHI_K = torch.rand(7, 3, generator=_generator, dtype=torch.float64) + 0.1
_V = torch.randn(7, 2, generator=_generator, dtype=torch.float64)


def _linear_attention_quadratic(phi_q, phi_k, v, causal=True):
    weights = phi_q @ phi_k.T                                   # (n, n), nonnegative
    if causal:
        weights = weights.tril()
    return (weights / weights.sum(-1, keepdim=True)) @ v


function_exercise(
    "8.1-linear-attention", "Debug: linear attention that sums over the wrong axis", name="my_causal_linear_attention",
    cases=[(_PHI_Q, _PHI_K, _V)], reference=_linear_attention_quadratic, atol=1e-6, rtol=1e-6,
    describe=lambda *case: "my_causal_linear_attention(phi_q, phi_k, v)",
    mistakes={lambda *case: _linear_attention_quadratic(*case, causal=False): "that is non-causal linear attention: "
              "each position must use only the running sums up to itself (cumsum over dim 0), not the totals.",
              lambda phi_q, phi_k, v: (phi_q @ phi_k.T).tril() @ v: "divide by phi(q_t) . z_t, with z_t the running "
              "sum of phi(k_s): the weights must sum to 1 (the normaliser performer-pytorch's issue 40 found missing).",
              lambda phi_q, phi_k, v: (phi_q @ phi_k.T).tril() @ v / (phi_q * phi_k.cumsum(-1)).sum(-1, keepdim=True):
              "that is the bug as it shipped: the normaliser's running sum runs over the features (dim=-1), not over "
              "the time steps; z_t = phi_k.cumsum(dim=0)."},
    hint="S = cumsum(phi_k[:, :, None] * v[:, None, :], 0); z = cumsum(phi_k, 0); y_t = phi_q[t] @ S[t] / "
         "(phi_q[t] @ z[t]).",
    praise="It equals the quadratic form with a causal mask, tril(phi(Q) phi(K)^T), normalised by rows.")


def _stacked_rnn_steps(n: int = 10, d: int = 4) -> int:
    generator = torch.Generator().manual_seed(0)
    cells = [nn.RNNCell(d, d), nn.RNNCell(d, d)]
    x = torch.randn(1, n, d, generator=generator)

    def run():
        states = [x.new_zeros(1, d), x.new_zeros(1, d)]
        for t in range(n):
            states[0] = cells[0](x[:, t], states[0])
            states[1] = cells[1](states[0], states[1])
        return states[1]
    return sequential_steps(run)


number_exercise(
    "8.1-stacked-steps", "Predict: the steps of a two-layer RNN",
    answer=Deferred(_stacked_rnn_steps),   # counted at the first check, not at import
    praise="The layers run as a wavefront: layer 2's step t waits only for layer 1's step t, so L layers "
           "over n tokens take n + L - 1 steps, not n L.",
    hint="Write down the depth of layer 1's step t and of layer 2's step t.",
    wrong={20: "not 2n: layer 2's step t needs layer 1's step t, but not layer 1's later steps; the two "
               "layers overlap in time.",
           10: "layer 2's last step comes one step after layer 1's last step.",
           2: "each layer still has n steps, one per token."})


_GENERATION = ["in training every target token is known in advance, so all positions are computed at once; in "
               "generation each token is chosen from the step before it, so the steps must run in order",
               "generation uses a different, recurrent model",
               "the KV cache makes generation sequential",
               "the softmax must be computed one position at a time"]

choice_exercise(
    "8.1-why-generation-waits", "Explain: parallel in training, sequential in generation", options=_GENERATION,
    answer=_GENERATION[0],
    praise="The parallelism of self-attention is the parallelism of teacher forcing: it needs the whole target in "
           "advance. Writing a new text, every model waits for its own last token.",
    wrong={_GENERATION[1]: "It is the same model, with the same weights; only what it is fed changes.",
           _GENERATION[2]: "The cache saves recomputation; the steps are sequential with or without it, because "
                           "token t + 1 is not known before step t has chosen it.",
           _GENERATION[3]: "A softmax over the keys of a row is computed at once, for all rows in parallel; the "
                           "order comes from the tokens, not from the softmax."})
