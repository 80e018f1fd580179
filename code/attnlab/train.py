"""Seeding, device choice and a small fit loop, shared by every experiment in the book.

Data are passed as tuples of tensors: ``(inputs..., targets)``. The model is called as
``model(*inputs)`` and must return logits of shape (batch, n_classes) or
(batch, positions, n_classes) with targets (batch,) or (batch, positions).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .seeding import make_generator, seed_everything

__all__ = ["seed_everything", "default_device", "on_training_device", "evaluation_mode", "accuracy",
           "History", "fit", "evaluate", "predict", "count_parameters"]


def default_device() -> torch.device:
    """The GPU when one is present, the CPU otherwise."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def on_training_device(model: nn.Module):
    """Move ``model`` to :func:`default_device` (the GPU when present) for the ``with`` block and
    give it back on the device it came on, and in the mode (training or evaluation) it came in,
    afterwards, even after an error. Yields the device; batches must be moved to it. Every
    training loop of the package uses this."""
    first = next(model.parameters(), None)
    home = first.device if first is not None else torch.device("cpu")
    device, was_training = default_device(), model.training
    model.to(device)
    try:
        yield device
    finally:
        model.to(home)
        model.train(was_training)


@contextmanager
def evaluation_mode(model: nn.Module):
    """Put ``model`` in evaluation mode for the ``with`` block, then back in the mode it came in.
    Every function of the package that runs a model for its outputs (predict, decoding) uses it."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of positions whose arg-max logit is the target (targets of -100 are ignored)."""
    predictions = logits.argmax(dim=-1)
    keep = targets != -100
    return (predictions[keep] == targets[keep]).float().mean().item()


def _cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)


def _check_data(name: str, data) -> tuple[torch.Tensor, ...]:
    if not isinstance(data, (tuple, list)) or len(data) < 2 or not all(torch.is_tensor(t) for t in data):
        raise TypeError(f"{name} must be a tuple of tensors (inputs..., targets), got {type(data).__name__}")
    n = len(data[0])
    if any(len(t) != n for t in data):
        raise ValueError(f"{name}'s tensors must share their first (batch) dimension, got shapes "
                         f"{[tuple(t.shape) for t in data]}")
    return tuple(data)


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch."""
    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def final(self) -> float:
        """The last validation metric (or the last training metric without validation data)."""
        return (self.val_metric or self.train_metric)[-1]


@torch.no_grad()
def predict(model: nn.Module, inputs: Sequence[torch.Tensor], batch_size: int = 1024) -> torch.Tensor:
    """``model(*inputs)`` in evaluation mode, in batches, on the model's device; returns CPU logits.
    The model is left in the mode it came in."""
    first = next(model.parameters(), None)  # a model without parameters (e.g. a plain dot score) runs on the CPU
    device = first.device if first is not None else torch.device("cpu")
    with evaluation_mode(model):
        outputs = [model(*(t[i:i + batch_size].to(device) for t in inputs)).cpu()
                   for i in range(0, len(inputs[0]), batch_size)]
    return torch.cat(outputs)


def evaluate(model: nn.Module, data: Sequence[torch.Tensor],
             metric: Callable[[torch.Tensor, torch.Tensor], float] = accuracy) -> float:
    """``metric`` of the model on ``data = (inputs..., targets)``."""
    data = _check_data("data", data)
    return metric(predict(model, data[:-1]), data[-1])


def fit(model: nn.Module, train: Sequence[torch.Tensor], *, epochs: int, lr: float = 1e-3,
        batch_size: int = 64, val: Sequence[torch.Tensor] | None = None, seed: int = 0,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = _cross_entropy,
        metric: Callable[[torch.Tensor, torch.Tensor], float] = accuracy,
        weight_decay: float = 0.0, clip: float | None = 1.0, label: str = "",
        log_every: int | None = None, verbose: bool = True) -> History:
    """Train ``model`` with Adam on ``train = (inputs..., targets)``; return a :class:`History`.

    Prints one compact line every ``log_every`` epochs (by default about five lines in all).
    The batch order is drawn from a generator seeded with ``seed`` (shifted by ``ATTNLAB_SEED``, see
    :mod:`attnlab.seeding`), so runs repeat exactly. Training runs on :func:`default_device`; the
    model goes back to the device it came on, and to the mode it came in, before ``fit`` returns.
    """
    train = _check_data("train", train)
    if val is not None:
        val = _check_data("val", val)
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    with on_training_device(model) as device:
        history = _fit_on(model, device, train, val, epochs, lr, batch_size, seed, weight_decay, clip, loss_fn,
                          metric, verbose, log_every, label)
    return history


def _fit_on(model, device, train, val, epochs, lr, batch_size, seed, weight_decay, clip, loss_fn, metric,
            verbose, log_every, label) -> History:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    generator = make_generator(seed)
    history, start, n = History(), time.perf_counter(), len(train[0])
    log_every = log_every or max(1, epochs // 5)
    for epoch in range(1, epochs + 1):
        model.train()
        total, correct_weighted = 0.0, 0.0
        for batch in torch.randperm(n, generator=generator).split(batch_size):
            *inputs, targets = (t[batch].to(device) for t in train)
            logits = model(*inputs)
            loss = loss_fn(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total += loss.item() * len(batch)
            correct_weighted += metric(logits.detach(), targets) * len(batch)
        history.train_loss.append(total / n)
        history.train_metric.append(correct_weighted / n)
        if val is not None:
            history.val_metric.append(evaluate(model, val, metric))
        if verbose and (epoch % log_every == 0 or epoch == epochs):
            line = (f"{label + ' ' if label else ''}epoch {epoch:>3}/{epochs}  loss {history.train_loss[-1]:.3f}"
                    f"  train {history.train_metric[-1]:.3f}")
            if val is not None:
                line += f"  val {history.val_metric[-1]:.3f}"
            print(line + f"  ({time.perf_counter() - start:.1f} s)")
    history.seconds = time.perf_counter() - start
    return history
