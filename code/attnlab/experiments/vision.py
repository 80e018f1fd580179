"""Chapter 5's flagship, trained to convergence: attention blocks inside a small image CNN, on
cluttered digits, three seeds each.

The notebook trains each network for 500 steps, from one seed, on 8,000 small canvases (28×28,
16-pixel digits, 2 fragments of 6 pixels). Here every batch is a fresh draw, and each network
trains until its held-out accuracy stops rising:

- ``cluttered-<block>``: :class:`attnlab.models.vision.SmallCNN` with the notebook's widths (16
  and 32 channels) and no block, channel attention (squeeze-and-excitation), spatial attention
  (CBAM's) or a non-local block after the second pooling, where the map is 10×10. Same data,
  same steps (4,500 batches of 32), same learning rate (Adam, 4e-3); the blocks add at most 15%
  to the plain network's 14,538 parameters (channel 552, spatial 99, non-local 2,128).

The task (:data:`TASK`) is the "cluttered translated MNIST" of Mnih et al. (2014), 60×60
canvases with a 28-pixel digit and 4 fragments of 8 pixels, at two thirds of its scale: 40×40
canvases, 20-pixel digits, 4 fragments of 6 pixels (the same count on a smaller canvas, so
denser clutter). The scale is the price of the budget: on one CPU thread a step on 60×60
canvases costs 1.6 to 1.8 times one on 40×40, and the networks need about 3,000 to 4,500 steps
to flatten at either size, so the twelve full-size runs would take about 55 core-minutes
instead of about 27.

Training canvases come from the 4,000 training digits, 50 batches' worth at a time, each canvas
seen once (a digit recurs, never its place or its clutter); validation and test canvases use
the 1,000 test digits only. Evaluation uses the population statistics of batch normalisation
(:func:`population_statistics`). The ``report`` gives the test accuracy on 2,000 canvases and
what the trained block does: for spatial attention, the mean gate inside the digit's box and
outside it, and on how many canvases it is higher inside (the notebook's measure); for the
non-local block, the share of a position's attention that lands on the digit's box against the
box's share of the map.
"""

from __future__ import annotations

import functools

import torch
from torch import nn
from torch.nn import functional as F

from ..data.cluttered import make_cluttered_digits
from ..models.vision import SmallCNN
from ..seeding import unshifted
from ..train import evaluate
from . import Experiment, register

__all__ = ["TASK", "cluttered_tests", "FreshCanvases", "population_statistics", "block_measures"]

# the canvases: Mnih et al.'s 60×60 task (28-pixel digits, 4 fragments of 8 pixels) at 2/3 scale
TASK = dict(canvas=40, digit_size=20, n_fragments=4, fragment_size=6)
MODULES = ("data.cluttered", "models.vision", "attention", "train", "batches", "experiments.vision")


def _options(config: dict) -> dict:
    return {key: config[key] for key in TASK}


@functools.lru_cache(maxsize=2)
@unshifted()
def _tests(options: tuple) -> dict:
    options = dict(options)
    return {"val": make_cluttered_digits(1000, **options, split="test", seed=50),
            "test": make_cluttered_digits(2000, **options, split="test", seed=100),
            "calibration": make_cluttered_digits(1000, **options, split="train", seed=60)}


def cluttered_tests(config: dict) -> dict:
    """The held-out canvases of ``config``'s task (test digits): ``"val"``, 1,000 (seed 50), and
    ``"test"``, 2,000 (seed 100), each ``(images, labels, positions)``; and ``"calibration"``,
    1,000 training canvases (seed 60) for :func:`population_statistics`. The written seeds in
    every run (``ATTNLAB_SEED`` does not shift them)."""
    return _tests(tuple(sorted(_options(config).items())))


class FreshCanvases:
    """A sampler of fresh training canvases: every ``pool_batches`` batches, a new pool of
    canvases is drawn (its seed from the loop's generator) and served in order, so every canvas
    is seen once. (Drawing a pool at a time, not a batch, pays the digits' loading and resizing
    once per pool.)"""

    def __init__(self, config: dict, pool_batches: int = 50):
        self.options, self.batch_size, self.pool_batches = _options(config), config["batch_size"], pool_batches
        self._pool, self._next = None, pool_batches

    def __call__(self, generator: torch.Generator):
        if self._next == self.pool_batches:
            draw = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
            images, labels, _ = make_cluttered_digits(self.batch_size * self.pool_batches, **self.options,
                                                      split="train", seed=draw)
            self._pool, self._next = (images.split(self.batch_size), labels.split(self.batch_size)), 0
        batch = self._pool[0][self._next], self._pool[1][self._next]
        self._next += 1
        return batch


@torch.no_grad()
def population_statistics(model: nn.Module, images: torch.Tensor, batch_size: int = 250) -> nn.Module:
    """Set the running mean and variance of every batch normalisation of ``model`` to the
    statistics of the training canvases ``images`` (the average over batches of ``batch_size``),
    as Ioffe and Szegedy define inference; returns the model, in the mode it came in.

    Why: training-mode batch normalisation uses each batch's own statistics, and evaluation
    uses running averages of them. On cluttered canvases the channel means of a batch of 32
    vary a lot (by up to 0.6 standard deviations in the last convolution), and Adam moves the
    weights faster than the running averages follow: on 60×60 canvases at 2e-3, the plain CNN
    evaluated with them scored between 0.23 and 0.84 from one evaluation to the next, while
    under batch statistics it rose steadily to 0.89. Training never reads the running
    averages, so recomputing them changes no training loss."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return model
    training, momenta = model.training, [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None                         # a cumulative average over the batches
    model.train()
    for start in range(0, len(images), batch_size):
        model(images[start:start + batch_size])
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    return model.train(training)


def _evaluate(model: nn.Module, config: dict) -> float:
    tests = cluttered_tests(config)
    population_statistics(model, tests["calibration"][0])
    return evaluate(model, tests["val"][:2])


def _build(config: dict) -> SmallCNN:
    return SmallCNN(config["block"], c1=config["c1"], c2=config["c2"])


@torch.no_grad()
def block_measures(model: SmallCNN, images: torch.Tensor, positions: torch.Tensor, digit_size: int,
                   batch_size: int = 500) -> dict:
    """What a trained block does on canvases ``images`` with digits of ``digit_size`` pixels at
    ``positions`` (their top-left corners).

    Spatial attention: ``gate_inside`` and ``gate_outside``, the mean gate over the pixels inside
    and outside the digit's box (each gate spread over its cell of pixels, as the notebook draws
    it), and ``higher_inside``, the fraction of canvases whose mean gate is higher inside.
    Non-local block: ``attention_on_digit``, the mean share of a position's attention that lands
    on the digit's box, ``box_share``, the box's share of the positions (what a blind block would
    give), and ``more_on_digit``, the fraction of canvases where the first exceeds the second.
    Other blocks: an empty dict.
    """
    if model.block_name not in ("spatial", "non-local"):
        return {}
    weights = torch.cat([model.attend(images[i:i + batch_size])[1] for i in range(0, len(images), batch_size)])
    canvas = images.shape[-1]
    inside = torch.zeros(len(images), canvas, canvas, dtype=torch.bool)
    for k, (r, c) in enumerate(positions.tolist()):
        inside[k, r:r + digit_size, c:c + digit_size] = True
    if model.block_name == "spatial":
        gates = F.interpolate(weights[:, None], size=(canvas, canvas), mode="nearest")[:, 0]
        per_inside = (gates * inside).sum((1, 2)) / inside.sum((1, 2))
        per_outside = (gates * ~inside).sum((1, 2)) / (~inside).sum((1, 2))
        return {"gate_inside": per_inside.mean().item(), "gate_outside": per_outside.mean().item(),
                "higher_inside": (per_inside > per_outside).float().mean().item()}
    side = int(round(weights.shape[-1] ** 0.5))
    share = F.adaptive_avg_pool2d(inside[:, None].float(), side)[:, 0].flatten(1)   # (n, positions)
    on_digit = (weights @ share[:, :, None])[:, :, 0].mean(1)                       # (n,)
    box = share.mean(1)
    return {"attention_on_digit": on_digit.mean().item(), "box_share": box.mean().item(),
            "more_on_digit": (on_digit > box).float().mean().item()}


def _report(model: SmallCNN, config: dict) -> dict:
    images, labels, positions = cluttered_tests(config)["test"]
    return {"test_accuracy": evaluate(model, (images, labels)),
            **block_measures(model, images, positions, config["digit_size"])}


for _block in ("none", "channel", "spatial", "non-local"):
    register(Experiment(
        name=f"cluttered-{_block}", notebook="chapters/05-cnn-attention/image-attention.ipynb",
        description=f"small CNN with the {_block} block on fresh cluttered digits ({TASK['canvas']}×{TASK['canvas']})",
        config=dict(block=_block, **TASK, c1=16, c2=32, batch_size=32, lr=4e-3, clip=1.0),
        build=_build, sampler=lambda config, seed: FreshCanvases(config), evaluate=_evaluate,
        val_name="held-out accuracy, cluttered digits", higher_is_better=True,
        steps=4500, eval_every=250, modules=MODULES, report=_report))
