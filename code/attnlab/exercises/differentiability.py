"""Exercises of chapter 8, "Q2: when is attention differentiable?" (differentiability.ipynb)."""

from __future__ import annotations

import torch

from ..sparsemax import sparsemax
from .core import Incorrect, as_tensor, call, exercise, expect_close, number_exercise

_generator = torch.Generator().manual_seed(82)
_PROBLEMS = [(torch.randn(n, generator=_generator, dtype=torch.float64) * 1.5,
              torch.randn(n, generator=_generator, dtype=torch.float64)) for n in (3, 5, 8)]


def _exact(logits: torch.Tensor, losses: torch.Tensor) -> torch.Tensor:
    theta = logits.clone().requires_grad_()
    gradient, = torch.autograd.grad((torch.softmax(theta, dim=-1) * losses).sum(), theta)
    return gradient


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6, rtol=1e-6)


@exercise("8.2-exact-gradient", "The exact gradient of an expected loss")
def _(answer):
    for logits, losses in _PROBLEMS:
        n = len(logits)
        result = as_tensor(call(answer, logits.clone(), losses.clone()), "your gradient", shape=(n,))
        expected = _exact(logits, losses)
        if _close(result, expected):
            continue
        p = torch.softmax(logits, dim=-1)
        if _close(result, -expected):
            raise Incorrect("your gradient has the wrong sign: it is the gradient of the expected loss "
                            "sum_i p_i f_i, not of the reward.")
        if _close(result, p * losses):
            raise Incorrect("you kept only the direct term p_j f_j: every p_i also depends on theta_j "
                            "through the normaliser, which subtracts p_j * (p . f).")
        if _close(result, losses - p @ losses):
            raise Incorrect("almost: each coordinate must be multiplied by its probability p_j.")
        if _close(result, p * (1 - p) * losses):
            raise Incorrect("you used only the diagonal of the softmax Jacobian, p_j (1 - p_j); the "
                            "off-diagonal terms -p_i p_j matter too.")
        expect_close(result, expected, "your gradient",
                     hint="with p = softmax(logits), the gradient is p * (losses - p @ losses).", atol=1e-6)
    return ("Note that the gradient sums to 0: adding the same number to every logit changes nothing. "
            "REINFORCE estimates exactly this vector from one sample.")


_SPARSE_ROWS = torch.tensor([[1.2, 0.9, -0.3, 0.7, -1.0],
                             [3.0, 0.0, 0.0, 0.0, 0.0],          # one clear winner: one-hot
                             [0.5, 0.5, 0.5, 0.5, 0.5],          # all equal: uniform
                             [0.4, 0.4, -2.0, 0.1, 0.4]], dtype=torch.float64)


@exercise("8.2-sparsemax", "Sparsemax for a batch")
def _(answer):
    scores = torch.cat([_SPARSE_ROWS, torch.randn(4, 5, generator=torch.Generator().manual_seed(3),
                                                  dtype=torch.float64) * 2])
    result = as_tensor(call(answer, scores.clone()), "your weights", shape=tuple(scores.shape))
    expected = sparsemax(scores)
    if _close(result, expected):
        return "Rows 1 and 2 show the two extremes: one key takes everything, or all share equally."
    if _close(result, torch.softmax(scores, dim=-1)):
        raise Incorrect("that is the softmax: sparsemax is max(z - tau, 0), which has exact zeros.")
    if (result < -1e-9).any():
        raise Incorrect("some weights are negative: clamp z - tau at 0.")
    if not torch.allclose(result.sum(-1), torch.ones(len(scores), dtype=torch.float64), atol=1e-6):
        raise Incorrect("your rows do not sum to 1: the threshold tau must be (sum of the k largest "
                        "scores - 1) / k, with k the support size.")
    if _close(result, sparsemax(scores.T).T):
        raise Incorrect("you projected the columns: each *row* must be projected (dim=-1).")
    expect_close(result, expected, "your weights", atol=1e-6,
                 hint="the support size k is the number of sorted scores z_(j) with 1 + j z_(j) > z_(1) + ... + z_(j).")
    return ""


number_exercise(
    "8.2-top1-jump", "Predict: the jump of a top-1 read",
    answer=-1.0 - 0.5,
    tolerance=1e-6,
    praise="At c = 1 key 1 overtakes key 2, and the read jumps from 0.5 to -1.0; for every other c "
           "the derivative of the output with respect to c is 0.",
    hint="Which key wins for c < 1, and which for c > 1? The jump is the new value minus the old one.",
    wrong={1.5: "the size is right but the sign is not: the output goes from 0.5 down to -1.0.",
           -4.0: "key 0 (score 0.2) never wins: key 2 (score 1.0) is the best before the jump.",
           2.5: "key 0 (score 0.2) never wins: the jump is between key 2's value and key 1's.",
           0.0: "the output does jump: at c = 1 the best key changes from key 2 to key 1."})
