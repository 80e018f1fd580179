"""Training: the one loop of the course, the device rule, and evaluation (every chapter).

:func:`train` takes a model and a sampler (:mod:`attnlab.batches`) and runs Adam for a number
of steps, with an optional linear warm-up, gradient clipping, and an evaluation every
``eval_every`` steps; it returns a :class:`Curve`. :func:`fit` is the same loop counted in
epochs over a fixed data set, for the classifiers of chapters 1-5; it returns a
:class:`History`, one entry per epoch.

Both follow one device rule: training runs on :func:`default_device` (the GPU when present) and
the model goes back to the device it came on, in the mode (training or evaluation) it came in.
Data are tuples of tensors; a model is called as ``model(*inputs)`` and returns logits
(batch, n_classes) or (batch, positions, n_classes); targets of -100 are ignored.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .batches import EpochBatches, last_is_target
from .checks import require_data, require_non_negative_int, require_positive_int
from .seeding import make_generator, seed_everything

__all__ = ["seed_everything", "default_device", "on_training_device", "evaluation_mode", "accuracy",
           "cross_entropy", "warmup_factor", "Curve", "train", "History", "fit", "evaluate", "predict",
           "count_parameters"]

IGNORE = -100  # the target of a position that counts for nothing (padding)


def default_device() -> torch.device:
    """The GPU when one is present, the CPU otherwise."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def on_training_device(model: nn.Module):
    """Move ``model`` to :func:`default_device` for the ``with`` block and give it back on the
    device it came on, and in the mode it came in, afterwards, even after an error. Yields the
    device; batches must be moved to it."""
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
    keep = targets != IGNORE
    return (predictions[keep] == targets[keep]).float().mean().item()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position whose target is not -100."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)


def warmup_factor(step: int, warmup: int) -> float:
    """The learning rate's factor at ``step`` (0-based): rises linearly over ``warmup`` steps, then 1."""
    return 1.0 if warmup == 0 else min(1.0, (step + 1) / warmup)


@dataclass
class _Measured:
    """What every run measures: the training loss and metric (per step or per epoch) and the seconds."""
    train_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Curve(_Measured):
    """What :func:`train` measured: the training loss of every step (``nan`` from a step whose
    loss was not finite: training stops there), the training metric of every step if one was
    asked for, and the evaluations, at ``eval_steps``."""
    eval_steps: list[int] = field(default_factory=list)
    evaluations: list[float] = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        return any(math.isnan(x) for x in self.train_loss)


def train(model: nn.Module, sample: Callable[[torch.Generator], tuple], *, steps: int, lr: float,
          transform: Callable = last_is_target, loss_fn: Callable = cross_entropy, warmup: int = 0,
          clip: float | None = 1.0, weight_decay: float = 0.0, seed: int = 0,
          evaluate: Callable[[nn.Module], float] | None = None, eval_every: int | None = None,
          metric: Callable[[torch.Tensor, torch.Tensor], float] | None = None,
          on_step: Callable[[int, Curve], None] | None = None) -> Curve:
    """Train ``model`` with Adam for ``steps`` steps; return a :class:`Curve`.

    Each step draws a batch ``sample(generator)`` (the generator seeded with ``seed``, shifted by
    ``ATTNLAB_SEED``), turns it into ``(inputs, targets) = transform(batch)``, and takes one Adam
    step on ``loss_fn(model(*inputs), targets)``, the learning rate rising linearly over the first
    ``warmup`` steps and the gradient's norm clipped to ``clip`` (None: no clipping).
    ``evaluate(model)``, in evaluation mode and without gradients, runs every ``eval_every``
    steps and after the last; ``metric(logits, targets)`` of every training batch is recorded if
    given; ``on_step(step, curve)`` is called after every step (step counted from 1).
    """
    require_positive_int("steps", steps)
    require_non_negative_int("warmup", warmup)
    if eval_every is not None:
        require_positive_int("eval_every", eval_every)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_factor(s, warmup))
    generator, curve, start = make_generator(seed), Curve(), time.perf_counter()
    with on_training_device(model) as device:
        for step in range(1, steps + 1):
            model.train()
            inputs, targets = transform(sample(generator))
            logits = model(*(x.to(device) for x in inputs))
            targets = targets.to(device)
            loss = loss_fn(logits, targets)
            if not torch.isfinite(loss):
                curve.train_loss += [math.nan] * (steps - step + 1)
                break
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            schedule.step()
            curve.train_loss.append(loss.item())
            if metric is not None:
                curve.train_metric.append(metric(logits.detach(), targets))
            if evaluate is not None and (step == steps or (eval_every and step % eval_every == 0)):
                with torch.no_grad(), evaluation_mode(model):
                    curve.evaluations.append(float(evaluate(model)))
                curve.eval_steps.append(step)
            if on_step is not None:
                on_step(step, curve)
    curve.seconds = time.perf_counter() - start
    return curve


@torch.no_grad()
def predict(model: nn.Module, inputs: Sequence[torch.Tensor], batch_size: int = 1024) -> torch.Tensor:
    """``model(*inputs)`` in evaluation mode, in batches, on the model's device; returns CPU logits.
    The model is left in the mode it came in."""
    first = next(model.parameters(), None)  # a model without parameters (a plain dot score) runs on the CPU
    device = first.device if first is not None else torch.device("cpu")
    with evaluation_mode(model):
        outputs = [model(*(t[i:i + batch_size].to(device) for t in inputs)).cpu()
                   for i in range(0, len(inputs[0]), batch_size)]
    return torch.cat(outputs)


def evaluate(model: nn.Module, data: Sequence[torch.Tensor],
             metric: Callable[[torch.Tensor, torch.Tensor], float] = accuracy) -> float:
    """``metric`` of the model on ``data = (inputs..., targets)``."""
    data = require_data("data", data)
    return metric(predict(model, data[:-1]), data[-1])


@dataclass
class History(_Measured):
    """What :func:`fit` measured, one entry per epoch."""
    val_metric: list[float] = field(default_factory=list)

    @property
    def final(self) -> float:
        """The last validation metric (or the last training metric without validation data)."""
        return (self.val_metric or self.train_metric)[-1]


def fit(model: nn.Module, train_data: Sequence[torch.Tensor], *, epochs: int, lr: float = 1e-3,
        batch_size: int = 64, val: Sequence[torch.Tensor] | None = None, seed: int = 0,
        loss_fn: Callable = cross_entropy, metric: Callable = accuracy, weight_decay: float = 0.0,
        clip: float | None = 1.0, label: str = "", log_every: int | None = None,
        verbose: bool = True) -> History:
    """:func:`train` for ``epochs`` shuffled passes over ``train_data = (inputs..., targets)``;
    return a :class:`History`. ``val`` is evaluated after every epoch. Prints one compact line
    every ``log_every`` epochs (by default about five lines in all)."""
    require_positive_int("epochs", epochs)
    batches = EpochBatches(train_data, batch_size, name="train")
    per_epoch, sizes = batches.steps_per_epoch, [len(b) for b in
                                                 torch.arange(batches.rows).split(batch_size)]
    history, log_every = History(), log_every or max(1, epochs // 5)

    def end_of_epoch(step: int, curve: Curve) -> None:
        if step % per_epoch:
            return
        epoch = step // per_epoch
        losses, metrics = curve.train_loss[-per_epoch:], curve.train_metric[-per_epoch:]
        history.train_loss.append(sum(x * n for x, n in zip(losses, sizes)) / batches.rows)
        history.train_metric.append(sum(x * n for x, n in zip(metrics, sizes)) / batches.rows)
        if val is not None:
            history.val_metric.append(evaluate(model, val, metric))
        if verbose and (epoch % log_every == 0 or epoch == epochs):
            line = (f"{label + ' ' if label else ''}epoch {epoch:>3}/{epochs}  loss {history.train_loss[-1]:.3f}"
                    f"  train {history.train_metric[-1]:.3f}")
            if val is not None:
                line += f"  val {history.val_metric[-1]:.3f}"
            print(line + f"  ({time.perf_counter() - start:.1f} s)")

    start = time.perf_counter()
    curve = train(model, batches, steps=epochs * per_epoch, lr=lr, loss_fn=loss_fn, clip=clip,
                  weight_decay=weight_decay, seed=seed, metric=metric, on_step=end_of_epoch)
    history.seconds = curve.seconds
    return history
