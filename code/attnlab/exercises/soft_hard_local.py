"""Exercises of chapter 4, "Soft, hard and local attention" (soft-hard-local.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, _none_message, as_tensor, call, exercise, expect_close

_LOGITS = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, -0.5, 0.3, 0.2]], dtype=torch.float64)
_GUMBELS = torch.tensor([[0.3, -0.2, 1.9, 0.1], [1.2, 0.4, -0.3, 0.0]], dtype=torch.float64)
_COSTS = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64)


def _soft_gradient(tau: float) -> torch.Tensor:
    logits = _LOGITS.clone().requires_grad_(True)
    (torch.softmax((logits + _GUMBELS) / tau, dim=-1) * _COSTS).sum().backward()
    return logits.grad


@exercise("4.1-gumbel-st", "Straight-through Gumbel-softmax")
def _(answer):
    tau = 0.5
    logits = _LOGITS.clone().requires_grad_(True)
    output = call(answer, logits, _GUMBELS.clone(), tau, name="straight_through")
    if output is None:
        raise Incorrect(_none_message("the output of straight_through"))
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
    (output.double() * _COSTS).sum().backward()
    if logits.grad is None:
        raise Incorrect("no gradient reached the logits. Use one_hot - soft.detach() + soft.")
    gradient = as_tensor(logits.grad, "the gradient reaching the logits", shape=tuple(_LOGITS.shape))
    if torch.allclose(gradient, _soft_gradient(1.0), atol=1e-6) and not torch.allclose(gradient, _soft_gradient(tau)):
        raise Incorrect("the gradient is that of softmax(logits + gumbels) without the temperature: "
                        "divide by tau inside the softmax.")
    expect_close(gradient, _soft_gradient(tau), "the gradient reaching the logits",
                 hint="It should equal the gradient of softmax((logits + gumbels) / tau).", atol=1e-6)
    return "Forward it is an exact sample; backward it is the relaxed sample's gradient (biased, low variance)."


_WHY = {"a": "(a) the window |s - p| <= D is a boolean comparison: autograd gives it no gradient at all.",
        "c": "(c) round(p) is piecewise constant: its gradient is exactly 0.",
        "d": "(d) the softmax of the scores does not involve p; p only decides which keys are in the "
             "window, and that choice is not differentiable."}


@exercise("4.1-local-gradient", "Which parts of local-p carry a gradient to the centre?")
def _(answer):
    if answer is None:
        raise Incorrect("answer is None: replace it by a string of letters, e.g. \"ad\".")
    if not isinstance(answer, str):
        raise Incorrect(f"answer should be a string of letters such as \"ad\", but it is a {type(answer).__name__}.")
    letters = {c for c in answer.lower() if c.isalpha()}
    if not letters or not letters <= set("abcd"):
        raise Incorrect(f"answer is {answer!r}; use only the letters a, b, c, d.")
    wrong = sorted(letters - {"b"})
    if wrong:
        raise Incorrect(" ".join(_WHY[c] for c in wrong))
    return "Only the Gaussian factor is a smooth function of p: it carries the learning signal."
