"""Exercises of chapter 4, "Soft, hard and local attention" (soft-hard-local.ipynb)."""

from __future__ import annotations

import torch

from .answers import as_tensor, call, refuse_none
from .core import exercise

_LOGITS = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -0.5, 0.3, 0.2]], dtype=torch.float64)
_GUMBELS = torch.tensor([[0.3, -0.2, 1.9, 0.1], [1.2, 0.4, -0.3, 0.0]], dtype=torch.float64)
_COSTS = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)


def _soft_gradient(tau: float) -> torch.Tensor:
    logits = _LOGITS.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad((torch.softmax((logits + _GUMBELS) / tau, dim=-1) * _COSTS).sum(), logits)
    return gradient


@exercise("4.1-gumbel-st")
def _(answer, wrong):
    tau = 0.5
    logits = _LOGITS.clone().requires_grad_(True)
    output = call(answer, logits, _GUMBELS.clone(), tau, name="straight_through")
    refuse_none(output, "the output of straight_through")
    if not torch.is_tensor(output):
        raise wrong("not-a-tensor", type=type(output).__name__)
    value = as_tensor(output, "the value of straight_through(...)", shape=tuple(_LOGITS.shape))
    one_hot = torch.nn.functional.one_hot((_LOGITS + _GUMBELS).argmax(-1), 4).double()
    if not torch.allclose(value, one_hot, atol=1e-6):
        if torch.allclose(value.sum(-1), torch.ones(2, dtype=torch.float64), atol=1e-6) and (value > 1e-6).sum() > 2:
            raise wrong("soft-value")
        if torch.allclose(value, torch.nn.functional.one_hot(_LOGITS.argmax(-1), 4).double()):
            raise wrong("no-noise")
        raise wrong("not-one-hot")
    if not output.requires_grad or output.grad_fn is None:
        raise wrong("detached")
    (reached,) = torch.autograd.grad((output.double() * _COSTS).sum(), logits, allow_unused=True)
    if reached is None:
        raise wrong("unconnected")
    gradient = as_tensor(reached, "the gradient reaching the logits", shape=tuple(_LOGITS.shape))
    expected = _soft_gradient(tau)
    if torch.allclose(gradient, _soft_gradient(1.0), atol=1e-6) and not torch.allclose(gradient, expected):
        raise wrong("no-temperature")
    if not torch.allclose(gradient, expected, atol=1e-6, rtol=1e-4):
        raise wrong("other-gradient", worst=(gradient - expected).abs().max().item())


# ---------------------------------------------------------------------------------------------
# 4.2-reinforce-surrogate: the REINFORCE surrogate loss with a leave-one-out baseline.

_R_LOGITS = torch.tensor([[0.2, -1.0, 0.7], [1.5, 0.1, -0.3], [0.0, 0.4, 0.9], [-0.6, 1.1, 0.3],
                          [0.8, 0.8, -1.2]], dtype=torch.float64)
_R_CHOSEN = torch.tensor([2, 0, 1, 1, 0])
_R_SCALE = torch.tensor([0.9, 2.3, 0.4, 1.7, 1.1], dtype=torch.float64)


def _surrogate_inputs():
    """Hidden inputs: log_prob of the sampled keys (differentiable in the logits) and each sample's
    loss (differentiable in a second parameter, which must receive no gradient)."""
    logits = _R_LOGITS.clone().requires_grad_(True)
    log_prob = torch.log_softmax(logits, -1).gather(-1, _R_CHOSEN[:, None]).squeeze(-1)
    weight = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    loss = weight * _R_SCALE
    return logits, weight, log_prob, loss


def _surrogate_gradients() -> dict[str, torch.Tensor]:
    """The gradient reaching the logits for the right surrogate and for each typical mistake, by
    the key of its message."""
    found = {}
    for kind in ("right", "own-sample", "no-baseline", "flipped-sign", "summed"):
        logits, _, log_prob, loss = _surrogate_inputs()
        n, cost = len(loss), loss.detach()
        loo = (cost.sum() - cost) / (n - 1)
        advantage = {"right": cost - loo, "own-sample": cost - cost.mean(), "no-baseline": cost,
                     "flipped-sign": loo - cost, "summed": cost - loo}[kind]
        surrogate = (advantage * log_prob).sum() if kind == "summed" else (advantage * log_prob).mean()
        found[kind] = torch.autograd.grad(surrogate, logits)[0]
    return found


@exercise("4.2-reinforce-surrogate")
def _(answer, wrong):
    logits, weight, log_prob, loss = _surrogate_inputs()
    output = call(answer, log_prob, loss, name="reinforce_surrogate")
    refuse_none(output, "the output of reinforce_surrogate")
    if not torch.is_tensor(output):
        raise wrong("not-a-tensor", type=type(output).__name__)
    if output.numel() != 1:
        raise wrong("not-a-scalar", shape=tuple(output.shape))
    as_tensor(output.detach(), "the surrogate")
    if output.grad_fn is None:
        raise wrong("log-prob-detached")
    grads = torch.autograd.grad(output.sum(), [logits, weight], allow_unused=True)
    if grads[1] is not None and grads[1].abs().item() > 1e-12:
        raise wrong("loss-not-detached")
    gradient = as_tensor(grads[0], "the gradient reaching the scores")
    same = {kind: torch.allclose(gradient, found, atol=1e-9) for kind, found in _surrogate_gradients().items()}
    if same["right"]:
        return
    if same["own-sample"]:
        raise wrong("own-sample")
    if same["no-baseline"]:
        raise wrong("no-baseline")
    if same["flipped-sign"]:
        raise wrong("flipped-sign")
    if same["summed"]:
        raise wrong("summed")
    raise wrong("other-gradient")


# ---------------------------------------------------------------------------------------------
# 4.3-local-gradient: which part of local-p gives the centre a gradient? (a multiple choice, in
# soft_hard_local.yml only)
