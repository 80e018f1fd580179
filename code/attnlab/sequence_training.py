"""Training loops of chapter 7, counted in optimisation steps: a sequence-to-sequence model with
teacher forcing, and a next-token language model, with an optional linear learning-rate warm-up.

Both use Adam, draw their batches from a generator seeded with ``seed`` (shifted by
``ATTNLAB_SEED``), and return the training loss of every step, so a divergence shows as a curve.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .checks import require_non_negative_int, require_positive_int
from .seeding import make_generator
from .train import evaluation_mode, on_training_device

__all__ = ["shift_right", "warmup_factor", "train_seq2seq", "sequence_accuracy", "train_language_model",
           "next_token_loss"]


def shift_right(target: torch.Tensor, bos: int) -> torch.Tensor:
    """The decoder's input under teacher forcing: ``bos`` then the target without its last token."""
    return torch.cat([torch.full_like(target[:, :1], bos), target[:, :-1]], dim=1)


def warmup_factor(step: int, warmup: int) -> float:
    """The learning rate's factor at ``step`` (0-based): rises linearly over ``warmup`` steps, then 1."""
    return 1.0 if warmup == 0 else min(1.0, (step + 1) / warmup)


def _optimizer(model, lr, warmup):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_factor(s, warmup))


def _step(model, optimizer, scheduler, loss, clip):
    optimizer.zero_grad()
    if not torch.isfinite(loss):
        return False
    loss.backward()
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    scheduler.step()
    return True


def train_seq2seq(model, source: torch.Tensor, target: torch.Tensor, *, steps: int, lr: float,
                  bos: int, pad: int | None = None, warmup: int = 0, batch_size: int = 64,
                  seed: int = 0, clip: float | None = None) -> list[float]:
    """Train ``model(source, shift_right(target, bos)) -> logits`` with cross-entropy against
    ``target`` for ``steps`` Adam steps. ``bos`` is the start token (no default: it must not be
    mistaken for padding); target positions holding ``pad`` (if given) are left out of the loss.
    Returns each step's training loss (``nan`` from the step the loss stops being finite;
    training stops there)."""
    require_positive_int("steps", steps)
    require_non_negative_int("warmup", warmup)
    if pad is not None and bos == pad:
        raise ValueError(f"bos and pad are both {bos}: the start token must differ from padding, "
                         f"or the decoder cannot tell them apart")
    ignore = -100 if pad is None else pad
    optimizer, scheduler = _optimizer(model, lr, warmup)
    generator, losses = make_generator(seed), []
    with on_training_device(model) as device:
        model.train()
        for _ in range(steps):
            batch = torch.randint(0, len(source), (batch_size,), generator=generator)
            src, tgt = source[batch].to(device), target[batch].to(device)
            logits = model(src, shift_right(tgt, bos))
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1),
                                   ignore_index=ignore)
            losses.append(loss.item())
            if not _step(model, optimizer, scheduler, loss, clip):
                losses += [math.nan] * (steps - len(losses))
                break
    return losses


@torch.no_grad()
def sequence_accuracy(model, source: torch.Tensor, target: torch.Tensor, *, bos: int) -> float:
    """The fraction of sequences that greedy decoding gets entirely right (the model is left in
    the mode it came in)."""
    with evaluation_mode(model):
        output = model.greedy(source, bos, target.shape[1])
    return (output == target).all(dim=1).float().mean().item()


def next_token_loss(model, tokens: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ``tokens[:, 1:]`` from ``model(tokens[:, :-1])``."""
    logits = model(tokens[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))


def train_language_model(model, stream: torch.Tensor, *, steps: int, lr: float, context: int,
                         warmup: int = 0, batch_size: int = 32, seed: int = 0,
                         clip: float | None = 1.0) -> list[float]:
    """Next-token training on windows of ``context + 1`` tokens cut at random from the 1-d
    ``stream``. Returns each step's training loss."""
    require_positive_int("steps", steps)
    require_positive_int("context", context)
    if stream.dim() != 1 or len(stream) < context + 1:
        raise ValueError(f"stream must be a 1-d token tensor of at least context + 1 = {context + 1} "
                         f"tokens, got shape {tuple(stream.shape)}")
    optimizer, scheduler = _optimizer(model, lr, warmup)
    generator, losses = make_generator(seed), []
    offsets = torch.arange(context + 1)
    with on_training_device(model) as device:
        model.train()
        for _ in range(steps):
            # a window is stream[start : start + context + 1]: the last one starts at len - context - 1
            starts = torch.randint(0, len(stream) - context, (batch_size,), generator=generator)
            loss = next_token_loss(model, stream[starts[:, None] + offsets].to(device))
            losses.append(loss.item())
            if not _step(model, optimizer, scheduler, loss, clip):
                losses += [math.nan] * (steps - len(losses))
                break
    return losses
