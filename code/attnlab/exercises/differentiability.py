"""Exercises of chapter 8, "Q2: when is attention differentiable?" (differentiability.ipynb)."""

from __future__ import annotations

import torch

from ..sparsemax import sparsemax
from .core import function_exercise, number_exercise

_generator = torch.Generator().manual_seed(82)
_PROBLEMS = [(torch.randn(n, generator=_generator, dtype=torch.float64) * 1.5,
              torch.randn(n, generator=_generator, dtype=torch.float64)) for n in (3, 5, 8)]


def _exact(logits: torch.Tensor, losses: torch.Tensor) -> torch.Tensor:
    theta = logits.clone().requires_grad_()
    gradient, = torch.autograd.grad((torch.softmax(theta, dim=-1) * losses).sum(), theta)
    return gradient


def _direct(logits, losses):
    return torch.softmax(logits, dim=-1) * losses


function_exercise(
    "8.2-exact-gradient", "The exact gradient of an expected loss", name="my_exact_gradient", cases=_PROBLEMS,
    reference=_exact, atol=1e-6, rtol=1e-6,
    describe=lambda logits, losses: f"my_exact_gradient(logits, losses) for n={len(logits)}",
    mistakes={lambda *case: -_exact(*case): "your gradient has the wrong sign: it is the gradient of the expected "
              "loss sum_i p_i f_i, not of the reward.",
              _direct: "you kept only the direct term p_j f_j: every p_i also depends on theta_j through the "
              "normaliser, which subtracts p_j * (p . f).",
              lambda logits, losses: losses - torch.softmax(logits, -1) @ losses: "almost: each coordinate must be "
              "multiplied by its probability p_j.",
              lambda logits, losses: _direct(logits, losses) * (1 - torch.softmax(logits, -1)): "you used only the "
              "diagonal of the softmax Jacobian, p_j (1 - p_j); the off-diagonal terms -p_i p_j matter too."},
    hint="With p = softmax(logits), the gradient is p * (losses - p @ losses).",
    praise="Note that the gradient sums to 0: adding the same number to every logit changes nothing. REINFORCE "
           "estimates exactly this vector from one sample.")

_SPARSE_ROWS = torch.tensor([[1.2, 0.9, -0.3, 0.7, -1.0],
                             [3.0, 0.0, 0.0, 0.0, 0.0],          # one clear winner: one-hot
                             [0.5, 0.5, 0.5, 0.5, 0.5],          # all equal: uniform
                             [0.4, 0.4, -2.0, 0.1, 0.4]], dtype=torch.float64)


_SCORES = torch.cat([_SPARSE_ROWS, torch.randn(4, 5, generator=torch.Generator().manual_seed(3),
                                               dtype=torch.float64) * 2])

function_exercise(
    "8.2-sparsemax", "Sparsemax for a batch", name="my_sparsemax", cases=[(_SCORES,)], reference=sparsemax,
    atol=1e-6, rtol=1e-6, describe=lambda scores: "my_sparsemax(scores)",
    mistakes={lambda z: torch.softmax(z, dim=-1): "that is the softmax: sparsemax is max(z - tau, 0), which has "
              "exact zeros.",
              lambda z: sparsemax(z.T).T: "you projected the columns: each *row* must be projected (dim=-1).",
              lambda z: z - (z.sum(-1, keepdim=True) - 1) / z.shape[-1]: "some weights are negative: clamp z - tau "
              "at 0, with tau computed on the support only."},
    hint="Each row is max(z - tau, 0) and sums to 1: tau = (sum of the k largest scores - 1) / k, with the "
         "support size k the number of sorted scores z_(j) with 1 + j z_(j) > z_(1) + ... + z_(j).",
    praise="Rows 1 and 2 show the two extremes: one key takes everything, or all share equally.")


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
