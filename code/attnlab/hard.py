"""Hard and local attention: sampling a key, training through the sample, and local windows.

Introduced in chapter 4, section "By computation region: soft, hard, local". Soft attention
averages over every key. Hard attention picks one key, so its weights are a one-hot vector and
the loss is not a differentiable function of the scores. Two ways around that are here:

- REINFORCE (Williams 1992): sample a key, and push up the log-probability of the sample in
  proportion to how much better than a baseline it did (:func:`reinforce_surrogate`).
- Gumbel-softmax straight-through (Jang et al. 2017; Maddison et al. 2017): a one-hot sample in
  the forward pass, the gradient of a softmax relaxation in the backward pass
  (:func:`gumbel_softmax`).

Local attention (Luong et al. 2015) attends softly inside a window of half-width ``D`` around a
centre ``p``: fixed by the alignment in local-m, predicted as ``p = S * sigmoid(v^T tanh(W h))``
in local-p, where a Gaussian factor makes the weights a smooth function of ``p``
(:func:`local_weights`, :class:`PredictivePosition`).

Shapes: scores, logits, weights ``(..., n_keys)``; centre ``(...)``, one per query.
"""

from __future__ import annotations

import torch
from torch import nn

from .attention import masked_softmax
from .checks import require_non_negative_int, require_positive_int, require_shape, require_tensor

__all__ = ["sample_hard", "gumbel_softmax", "reinforce_surrogate", "leave_one_out_baseline",
           "window_mask", "local_weights", "PredictivePosition", "gradient_variance"]


def sample_hard(logits: torch.Tensor, generator: torch.Generator | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample one key per query from ``softmax(logits)``.

    logits: (..., n_keys). Returns ``(index, log_prob)``, both of shape ``(...)``: the sampled
    key and the log-probability of having sampled it (differentiable in ``logits``).
    """
    require_tensor("logits", logits, "(..., n_keys)", min_dim=1)
    log_probs = torch.log_softmax(logits, dim=-1)
    flat = log_probs.detach().exp().reshape(-1, logits.shape[-1])
    index = torch.multinomial(flat, 1, generator=generator).reshape(logits.shape[:-1])
    return index, log_probs.gather(-1, index.unsqueeze(-1)).squeeze(-1)


def gumbel_softmax(logits: torch.Tensor, tau: float = 1.0, hard: bool = True,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """A Gumbel-softmax sample over the last dimension; straight-through when ``hard``.

    logits: (..., n_keys). Returns (..., n_keys). With ``hard=True`` the forward value is the
    one-hot vector of ``argmax(logits + g)`` (g: Gumbel noise) while the gradient is that of the
    relaxed sample ``softmax((logits + g) / tau)``. With ``generator=None`` it draws the same
    noise as ``torch.nn.functional.gumbel_softmax`` under the same global seed.
    """
    require_tensor("logits", logits, "(..., n_keys)", min_dim=1)
    if not tau > 0:
        raise ValueError(f"tau must be positive, got {tau}")
    gumbels = -torch.empty_like(logits).exponential_(generator=generator).log()
    soft = torch.softmax((logits + gumbels) / tau, dim=-1)
    if not hard:
        return soft
    one_hot = torch.zeros_like(soft).scatter_(-1, soft.argmax(dim=-1, keepdim=True), 1.0)
    return one_hot - soft.detach() + soft


def leave_one_out_baseline(rewards: torch.Tensor) -> torch.Tensor:
    """For each sample, the mean reward of the *other* samples in the batch.

    rewards: (batch,) or (batch, ...). Returns the same shape. It does not depend on the
    sample's own action, so subtracting it leaves REINFORCE unbiased.
    """
    require_tensor("rewards", rewards, "(batch, ...)", min_dim=1)
    n = rewards.shape[0]
    if n < 2:
        raise ValueError(f"rewards has shape {tuple(rewards.shape)}; a leave-one-out baseline needs batch >= 2")
    rewards = rewards.detach()
    return (rewards.sum(dim=0, keepdim=True) - rewards) / (n - 1)


def reinforce_surrogate(log_prob: torch.Tensor, loss: torch.Tensor,
                        baseline: torch.Tensor | float | None = None) -> torch.Tensor:
    """The REINFORCE surrogate whose gradient estimates d E[loss] / d(attention parameters).

    log_prob: (batch, ...) log-probability of each sampled key; loss: same shape, the loss each
    sample reached (the reward is ``-loss``); baseline: broadcastable, or None for none.
    Returns a scalar: ``mean((loss - baseline).detach() * log_prob)``.
    """
    require_tensor("log_prob", log_prob, "(batch, ...)", min_dim=1)
    require_tensor("loss", loss, "(batch, ...)", min_dim=1)
    if log_prob.shape != loss.shape:
        raise ValueError(f"log_prob has shape {tuple(log_prob.shape)} and loss has shape "
                         f"{tuple(loss.shape)}; they must be equal (one loss per sampled key)")
    advantage = loss.detach() - (0.0 if baseline is None else baseline)
    return (advantage.detach() * log_prob).mean()


def window_mask(n_keys: int, centre: torch.Tensor, half_width: int) -> torch.Tensor:
    """Boolean mask of the keys ``s`` with ``|s - centre| <= half_width`` (the window ``[p-D, p+D]``).

    centre: (...) real-valued positions. Returns (..., n_keys). The comparison has no gradient:
    the window's integer boundaries are not a differentiable function of the centre.
    """
    require_positive_int("n_keys", n_keys)
    require_non_negative_int("half_width", half_width)
    require_tensor("centre", centre, "(...)")
    positions = torch.arange(n_keys, device=centre.device, dtype=centre.dtype)
    return (positions - centre.detach().unsqueeze(-1)).abs() <= half_width


def local_weights(scores: torch.Tensor, centre: torch.Tensor, half_width: int,
                  gaussian: bool = True) -> torch.Tensor:
    """Luong et al.'s local attention weights around ``centre``.

    scores: (..., n_keys); centre: (...), one real position per query; half_width: D.
    Inside the window ``[p - D, p + D]`` the weights are the softmax of the scores; outside, 0.
    With ``gaussian=True`` (local-p) they are multiplied by ``exp(-(s - p)^2 / (2 sigma^2))``,
    ``sigma = D / 2``, through which the loss has a gradient with respect to ``p``.
    Returns weights (..., n_keys).
    """
    require_tensor("scores", scores, "(..., n_keys)", min_dim=1)
    require_tensor("centre", centre, "(...), one position per row of scores", floating=False)
    require_shape("centre", centre, tuple(scores.shape[:-1]), "(...), one position per row of scores",
                  hint=f"scores has shape {tuple(scores.shape)}")
    if half_width < 1:
        raise ValueError(f"half_width must be at least 1, got {half_width}")
    n_keys = scores.shape[-1]
    weights = masked_softmax(scores, window_mask(n_keys, centre, half_width))
    if gaussian:
        positions = torch.arange(n_keys, device=scores.device, dtype=scores.dtype)
        sigma = half_width / 2
        weights = weights * torch.exp(-(positions - centre.unsqueeze(-1)) ** 2 / (2 * sigma ** 2))
    return weights


class PredictivePosition(nn.Module):
    """local-p's predicted centre ``p = S * sigmoid(v^T tanh(W h))`` with ``S = n_keys - 1``.

    h: (..., d_in). Returns centre (...), a real position in ``[0, n_keys - 1]``.
    """

    def __init__(self, d_in: int, d_hidden: int, n_keys: int):
        super().__init__()
        self.W = nn.Linear(d_in, d_hidden, bias=False)
        self.v = nn.Linear(d_hidden, 1, bias=False)
        self.d_in, self.n_keys = d_in, n_keys

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        require_tensor("h", h, f"(..., d_in={self.d_in})")
        require_shape("h", h, (..., self.d_in), f"(..., d_in={self.d_in})")
        return (self.n_keys - 1) * torch.sigmoid(self.v(torch.tanh(self.W(h)))).squeeze(-1)


def gradient_variance(draw_loss, parameters, n_draws: int = 200) -> dict[str, float]:
    """How noisy a gradient estimator is, at a fixed parameter point.

    draw_loss: a function of no arguments that draws a fresh minibatch (and fresh samples) and
    returns the scalar loss whose gradient is the estimate; parameters: the tensors to
    differentiate. Returns ``{"variance": sum over coordinates of the variance across draws,
    "mean_norm2": squared norm of the mean gradient, "noise_to_signal": their ratio}``.
    """
    parameters = list(parameters)
    if not parameters or n_draws < 2:
        raise ValueError(f"need at least one parameter and n_draws >= 2, got {len(parameters)} and {n_draws}")
    grads = []
    for _ in range(n_draws):
        found = torch.autograd.grad(draw_loss(), parameters, allow_unused=True)
        grads.append(torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1)
                                for p, g in zip(parameters, found)]))
    grads = torch.stack(grads)
    variance = grads.var(dim=0).sum().item()
    mean_norm2 = grads.mean(dim=0).pow(2).sum().item()
    return {"variance": variance, "mean_norm2": mean_norm2, "noise_to_signal": variance / max(mean_norm2, 1e-30)}
