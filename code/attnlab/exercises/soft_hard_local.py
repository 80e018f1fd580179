"""Exercises of chapter 4, "Soft, hard and local attention" (soft-hard-local.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, refuse_none, as_tensor, call, choice_exercise, exercise, expect_close

_LOGITS = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -0.5, 0.3, 0.2]], dtype=torch.float64)
_GUMBELS = torch.tensor([[0.3, -0.2, 1.9, 0.1], [1.2, 0.4, -0.3, 0.0]], dtype=torch.float64)
_COSTS = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)


def _soft_gradient(tau: float) -> torch.Tensor:
    logits = _LOGITS.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad((torch.softmax((logits + _GUMBELS) / tau, dim=-1) * _COSTS).sum(), logits)
    return gradient


@exercise("4.1-gumbel-st", "Debug: a \"hard\" sample that was soft")
def _(answer):
    tau = 0.5
    logits = _LOGITS.clone().requires_grad_(True)
    output = call(answer, logits, _GUMBELS.clone(), tau, name="straight_through")
    refuse_none(output, "the output of straight_through")
    if not torch.is_tensor(output):
        raise Incorrect(f"straight_through should return a tensor, but it returned a {type(output).__name__}.")
    value = as_tensor(output, "the value of straight_through(...)", shape=tuple(_LOGITS.shape))
    one_hot = torch.nn.functional.one_hot((_LOGITS + _GUMBELS).argmax(-1), 4).double()
    if not torch.allclose(value, one_hot, atol=1e-6):
        if torch.allclose(value.sum(-1), torch.ones(2, dtype=torch.float64), atol=1e-6) and (value > 1e-6).sum() > 2:
            raise Incorrect("the forward value is a soft distribution, not one-hot. The value must be the "
                            "one-hot vector of argmax(logits + gumbels); only the gradient is soft.")
        if torch.allclose(value, torch.nn.functional.one_hot(_LOGITS.argmax(-1), 4).double()):
            raise Incorrect("the one-hot vector is at argmax(logits): add the Gumbel noise before the argmax, "
                            "otherwise you always pick the same key instead of sampling.")
        raise Incorrect("the forward value should be the one-hot vector of argmax(logits + gumbels).")
    if not output.requires_grad or output.grad_fn is None:
        raise Incorrect("the output carries no gradient back to the logits. Use the trick "
                        "one_hot - soft.detach() + soft, so the value is one-hot but the gradient is soft's.")
    (reached,) = torch.autograd.grad((output.double() * _COSTS).sum(), logits, allow_unused=True)
    if reached is None:
        raise Incorrect("no gradient reached the logits. Use one_hot - soft.detach() + soft.")
    gradient = as_tensor(reached, "the gradient reaching the logits", shape=tuple(_LOGITS.shape))
    if torch.allclose(gradient, _soft_gradient(1.0), atol=1e-6) and not torch.allclose(gradient, _soft_gradient(tau)):
        raise Incorrect("the gradient is that of softmax(logits + gumbels) without the temperature: "
                        "divide by tau inside the softmax.")
    expect_close(gradient, _soft_gradient(tau), "the gradient reaching the logits",
                 hint="It should equal the gradient of softmax((logits + gumbels) / tau).", atol=1e-6)
    return "Forward it is an exact sample; backward it is the relaxed sample's gradient (biased, low variance)."


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


def _surrogate_variants():
    """The gradient reaching the logits for the right surrogate and for typical mistakes."""
    found = {}
    for kind in ("right", "own-sample", "no-baseline", "sign", "sum"):
        logits, _, log_prob, loss = _surrogate_inputs()
        n, cost = len(loss), loss.detach()
        loo = (cost.sum() - cost) / (n - 1)
        advantage = {"right": cost - loo, "own-sample": cost - cost.mean(), "no-baseline": cost,
                     "sign": loo - cost, "sum": cost - loo}[kind]
        surrogate = (advantage * log_prob).sum() if kind == "sum" else (advantage * log_prob).mean()
        found[kind] = (surrogate.detach(), torch.autograd.grad(surrogate, logits)[0])
    return found


_SURROGATE_MISTAKES = {
    "own-sample": "your baseline includes the sample's own loss (the mean of the whole batch). The "
                  "leave-one-out baseline b_i is the mean loss of the *other* samples: "
                  "(loss.sum() - loss) / (n - 1). A baseline that depends on the sample's own "
                  "action biases the estimate.",
    "no-baseline": "there is no baseline: you multiplied log_prob by the loss itself. Subtract "
                   "b_i, the mean loss of the other samples, first: same expected gradient, far "
                   "less variance.",
    "sign": "the sign is flipped: minimising your surrogate would raise the probability of the "
            "samples whose loss is above the baseline. Use (loss - baseline) * log_prob.",
    "sum": "you summed over the batch; take the mean, so the gradient does not grow with the "
           "batch size.",
}


@exercise("4.2-reinforce-surrogate", "The REINFORCE surrogate loss")
def _(answer):
    logits, weight, log_prob, loss = _surrogate_inputs()
    output = call(answer, log_prob, loss, name="reinforce_surrogate")
    refuse_none(output, "the output of reinforce_surrogate")
    if not torch.is_tensor(output):
        raise Incorrect(f"reinforce_surrogate should return a tensor, but it returned a {type(output).__name__}.")
    if output.numel() != 1:
        raise Incorrect(f"reinforce_surrogate should return one number (a scalar loss), but it has shape "
                        f"{tuple(output.shape)}: take the mean over the batch.")
    as_tensor(output.detach(), "the surrogate")
    if output.grad_fn is None:
        raise Incorrect("the surrogate carries no gradient back to log_prob: do not detach log_prob, "
                        "only the loss and the baseline.")
    grads = torch.autograd.grad(output.sum(), [logits, weight], allow_unused=True)
    if grads[1] is not None and grads[1].abs().item() > 1e-12:
        raise Incorrect("a gradient flows into the loss through your surrogate. The loss and the baseline "
                        "are constants in REINFORCE (the loss of a sampled key is not differentiable in "
                        "the scores): use (loss - baseline).detach() * log_prob.")
    gradient = as_tensor(grads[0], "the gradient reaching the scores")
    variants = _surrogate_variants()
    if torch.allclose(gradient, variants["right"][1], atol=1e-9):
        return ("Its gradient, (loss_i - b_i) times the gradient of log pi(a_i), averaged, is an unbiased "
                "estimate of the gradient of the expected loss.")
    for kind, message in _SURROGATE_MISTAKES.items():
        if torch.allclose(gradient, variants[kind][1], atol=1e-9):
            raise Incorrect(message)
    raise Incorrect("the gradient reaching the scores is not that of mean((loss - b) * log_prob), with b_i "
                    "the mean loss of the other samples and the loss and b treated as constants.")


# ---------------------------------------------------------------------------------------------
# 4.3-local-gradient: which part of local-p gives the centre a gradient? (declared as data)

choice_exercise(
    "4.3-local-gradient", "Which part of local-p carries a gradient to the centre?",
    options=["a", "b", "c", "d"], answer="b",
    praise="Only the Gaussian factor is a smooth function of p: it carries the learning signal.",
    wrong={"a": "(a) the window |s - p| <= D is a boolean comparison: autograd gives it no gradient at all.",
           "c": "(c) round(p) is piecewise constant: its gradient is exactly 0.",
           "d": "(d) the softmax of the scores does not involve p; p only decides which keys are in the "
                "window, and that choice is not differentiable."},
)
