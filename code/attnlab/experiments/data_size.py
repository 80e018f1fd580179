"""Chapter 3's data hunger, converged: a CNN and a Transformer of the same size, each trained to
the end on a fixed training set of 100 to 10,000 examples (disadvantages.ipynb, "A weak
inductive bias: attention needs more data").

The notebook trains on 100 and 200 examples for a fixed 100 epochs; it shows the Transformer
memorising where the CNN generalises, but not how much data makes up for the missing bias, and
its CNN is the smaller model. Here the task is the same (:func:`attnlab.data.motif.make_local_motif`,
sequences of 16 digits: does a 3 stand right before a 7?) and so are the two models, with the
same mean pooling and linear read-out, now with matched parameter counts:

- ``data-size-cnn-<n>``: one width-3 convolution (:class:`~attnlab.models.convolutional.ConvClassifier`,
  24-wide embeddings, 66 channels: 5,192 parameters), whose window *is* a detector of adjacent pairs;
- ``data-size-transformer-<n>``: the notebook's one-layer pre-LN Transformer
  (:class:`~attnlab.models.transformer.TransformerClassifier`, width 24, 2 heads, sinusoidal
  positions: 5,210 parameters), which must learn from examples that neighbours matter.

``<n>`` is the size of the training set: 100, 300, 1,000, 3,000 or 10,000 sequences, drawn with
the run's seed (:func:`training_set`), so the three seeds vary the initial weights, the order of
the batches *and* the draw of the training set. Each run makes shuffled passes over its fixed set
(batches of 64) at the notebook's learning rate, both models for the same number of Adam steps
(:data:`STEPS`), until the held-out accuracy stops rising: 2,000 steps on 100 and 300 examples,
which both models fit early (the Transformer's held-out accuracy is flat from step 1,000 on),
5,000 from 1,000 examples on, where the Transformer's held-out accuracy still creeps up for
thousands of steps after it has fitted its examples (measured on seed 0: 0.87 at step 3,000,
0.91 at step 4,000 on 1,000 examples). The validation
metric is the accuracy on 2,000 held-out sequences (:func:`held_out`, ``"val"``); the ``report``
gives the accuracy on 5,000 other ones (``"test"``); the accuracy on a run's own training set
(what was memorised) is measured on ``training_set(n, record["seed"])``. The learning curve is
the test accuracy against ``<n>``, one line per model; chance is 50%, and the best threshold on the count of 3s and 7s (which ignores
order) scores 72% on the test sequences.
"""

from __future__ import annotations

import functools

import torch

from ..batches import EpochBatches
from ..data.motif import VOCAB_SIZE, make_local_motif
from ..models.convolutional import ConvClassifier
from ..models.transformer import TransformerClassifier, TransformerConfig
from ..seeding import unshifted
from ..train import evaluate
from . import Experiment, register

__all__ = ["SIZES", "LENGTH", "STEPS", "MODELS", "training_set", "held_out", "build"]

SIZES, LENGTH = (100, 300, 1000, 3000, 10000), 16
STEPS = {100: 2000, 300: 2000, 1000: 5000, 3000: 5000, 10000: 5000}   # the budget of both models, by size
MODELS = ("cnn", "transformer")


@unshifted()
def training_set(size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed training set of run ``data-size-<model>-<size>`` with ``seed``: ``size`` sequences
    of :data:`LENGTH` digits (the task's seed ``seed``, as written whatever ``ATTNLAB_SEED`` says)."""
    return make_local_motif(size, length=LENGTH, seed=seed)


@functools.lru_cache(maxsize=1)
@unshifted()
def held_out() -> dict:
    """Sequences no run trains on: ``"val"``, 2,000 (seed 500), and ``"test"``, 5,000 (seed 501)."""
    return {"val": make_local_motif(2000, length=LENGTH, seed=500),
            "test": make_local_motif(5000, length=LENGTH, seed=501)}


def build(config: dict):
    """The model of ``config["model"]``: the CNN or the Transformer, both mean-pooled."""
    if config["model"] == "cnn":
        return ConvClassifier(VOCAB_SIZE, 2, d_embed=config["d_embed"], channels=config["channels"],
                              kernel_size=3, n_layers=1, pooling="mean")
    return TransformerClassifier(TransformerConfig(
        vocab_size=VOCAB_SIZE, d_model=config["d_model"], num_heads=config["num_heads"], n_layers=1,
        d_ff=config["d_ff"], max_positions=LENGTH, positional="sinusoidal", norm_first=True, pooling="mean"))


def _report(model, config) -> dict:
    """The test accuracy; the notebook measures the training accuracy itself, on
    ``training_set(config["n_train"], record["seed"])``."""
    return {"test_accuracy": evaluate(model, held_out()["test"])}


MODULES = ("data.motif", "models.convolutional", "models.transformer", "attention", "positional", "batches",
           "train", "experiments.data_size")
_ARCHITECTURES = {"cnn": dict(model="cnn", d_embed=24, channels=66),
                  "transformer": dict(model="transformer", d_model=24, num_heads=2, d_ff=48)}

for _model in MODELS:
    for _size in SIZES:
        register(Experiment(
            name=f"data-size-{_model}-{_size}",
            description=f"{_model}, local motif (3 right before 7), a fixed training set of {_size} sequences",
            config=dict(_ARCHITECTURES[_model], n_train=_size, batch_size=64, lr=1e-2, clip=1.0),
            build=build,
            sampler=lambda c, seed: EpochBatches(training_set(c["n_train"], seed), c["batch_size"], name="train"),
            evaluate=lambda model, c: evaluate(model, held_out()["val"]),
            val_name="held-out accuracy", higher_is_better=True, steps=STEPS[_size],
            eval_every=STEPS[_size] // 20,
            modules=MODULES, report=_report, notebook="chapters/03-addressing/disadvantages.ipynb"))
