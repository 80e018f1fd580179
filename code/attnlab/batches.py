"""How the training loop draws its data (:func:`attnlab.train.train`): samplers, which draw a
batch, and transforms, which turn a batch into the model's inputs and the loss's targets.

A sampler is any callable ``sample(generator) -> batch`` (a tuple of CPU tensors); the loop
passes its own generator, seeded with ``seed`` and shifted by ``ATTNLAB_SEED``, so a run
repeats exactly. A task generated afresh is sampled by a function of the generator:
``lambda generator: make_task(64, generator=generator)``.

- :class:`EpochBatches`: shuffled passes over a fixed data set (the classifiers of chapters 1-5);
- :class:`RandomBatches`: rows drawn with replacement (chapter 7's sequence tasks);
- :class:`BucketedBatches`: passes in batches of similar length, cropped to their longest row
  (chapter 6's grapheme-to-phoneme phrases: fewer padded decoder steps);
- :class:`Windows`: windows cut at random from one token stream (language models).

A transform maps a batch to ``(inputs, targets)``, the model being called as
``model(*inputs)``: :func:`last_is_target` (the default), :func:`teacher_forcing` (a decoder
reads the target shifted right behind <bos>) and :func:`next_token` (a language model predicts
each window's next token).
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

from .checks import require_data, require_positive_int, require_tensor, require_tokens

__all__ = ["EpochBatches", "RandomBatches", "BucketedBatches", "Windows", "last_is_target",
           "teacher_forcing", "shift_right", "next_token"]


class EpochBatches:
    """Shuffled passes over ``data`` (a tuple of tensors sharing their first dimension), in
    batches of ``batch_size`` (the last batch of a pass may be smaller)."""

    def __init__(self, data: Sequence[torch.Tensor], batch_size: int, name: str = "data"):
        self.data = require_data(name, data)
        self.batch_size = require_positive_int("batch_size", batch_size)
        self.rows, self._queue = len(self.data[0]), []

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.rows // self.batch_size)

    def __call__(self, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
        if not self._queue:
            self._queue = list(torch.randperm(self.rows, generator=generator).split(self.batch_size))[::-1]
        rows = self._queue.pop()
        return tuple(t[rows] for t in self.data)


class RandomBatches:
    """Batches of ``batch_size`` rows of ``data`` drawn with replacement."""

    def __init__(self, data: Sequence[torch.Tensor], batch_size: int):
        self.data = require_data("data", data)
        self.batch_size = require_positive_int("batch_size", batch_size)

    def __call__(self, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
        rows = torch.randint(0, len(self.data[0]), (self.batch_size,), generator=generator)
        return tuple(t[rows] for t in self.data)


class BucketedBatches:
    """Passes over token data ``(source, target)`` (padding id ``pad``) in batches of similar
    target length: each pass is shuffled, sorted by length within chunks of 50 batches, and the
    batches' order shuffled; each batch is cropped to its longest source and target."""

    def __init__(self, data: Sequence[torch.Tensor], batch_size: int, pad: int = 0):
        self.data = require_data("data", data)
        for i, t in enumerate(self.data):
            require_tokens(f"data[{i}]", t, "(n, length)")
        self.batch_size, self.pad = require_positive_int("batch_size", batch_size), pad
        self.lengths = (self.data[-1] != pad).sum(1)
        self._queue = []

    def _new_pass(self, generator):
        order = torch.randperm(len(self.lengths), generator=generator)
        batches = []
        for chunk in order.split(50 * self.batch_size):
            chunk = chunk[self.lengths[chunk].argsort(stable=True)]
            batches.extend(chunk.split(self.batch_size))
        return [batches[i] for i in torch.randperm(len(batches), generator=generator)][::-1]

    def __call__(self, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
        if not self._queue:
            self._queue = self._new_pass(generator)
        rows = self._queue.pop()
        cropped = []
        for t in self.data:
            length = int((t[rows] != self.pad).sum(1).max())
            cropped.append(t[rows, :max(length, 1)])
        return tuple(cropped)


class Windows:
    """Batches of ``batch_size`` windows of ``context + 1`` consecutive tokens of a 1-d ``stream``,
    starting anywhere (the last possible window included)."""

    def __init__(self, stream: torch.Tensor, context: int, batch_size: int):
        require_tokens("stream", stream, "(n_tokens,)")
        self.context = require_positive_int("context", context)
        self.batch_size = require_positive_int("batch_size", batch_size)
        if len(stream) < context + 1:
            raise ValueError(f"stream has {len(stream)} tokens but a window needs context + 1 = {context + 1}")
        self.stream, self._offsets = stream, torch.arange(context + 1)

    def __call__(self, generator: torch.Generator) -> tuple[torch.Tensor]:
        starts = torch.randint(0, len(self.stream) - self.context, (self.batch_size,), generator=generator)
        return (self.stream[starts[:, None] + self._offsets],)


Transform = Callable[[tuple], tuple[tuple, torch.Tensor]]


def last_is_target(batch: tuple) -> tuple[tuple, torch.Tensor]:
    """``(inputs..., targets)`` -> ``((inputs...), targets)``: the default."""
    *inputs, targets = batch
    return tuple(inputs), targets


def shift_right(target: torch.Tensor, bos: int) -> torch.Tensor:
    """The decoder's input under teacher forcing: ``bos``, then the target without its last token."""
    require_tokens("target", target, "(batch, n_target)")
    return torch.cat([torch.full_like(target[:, :1], bos), target[:, :-1]], dim=1)


def teacher_forcing(bos: int | None = None, pad: int | None = None) -> Transform:
    """The transform of an encoder-decoder batch ``(source, target)``: the model reads
    ``(source, target_in)`` and predicts ``target_out``.

    With ``bos``, the target holds the output only: target_in is ``bos`` then the target shifted
    right, target_out the target. Without, the target starts with <bos> already: target_in is
    target[:, :-1], target_out target[:, 1:]. Positions of target_out holding ``pad`` become -100,
    which the loss and :func:`attnlab.train.accuracy` ignore."""
    if bos is not None and pad is not None and bos == pad:
        raise ValueError(f"bos and pad are both {bos}: the start token must differ from padding")

    def transform(batch):
        source, target = batch
        if bos is None:
            target_in, target_out = target[:, :-1], target[:, 1:]
        else:
            target_in, target_out = shift_right(target, bos), target
        if pad is not None:
            target_out = target_out.masked_fill(target_out == pad, -100)
        return (source, target_in), target_out
    return transform


def next_token(batch: tuple[torch.Tensor]) -> tuple[tuple, torch.Tensor]:
    """A language model's transform: window (batch, context + 1) -> input window[:, :-1],
    targets window[:, 1:]."""
    (window,) = batch
    require_tensor("window", window, "(batch, context + 1)", dim=2, floating=False)
    return (window[:, :-1],), window[:, 1:]
