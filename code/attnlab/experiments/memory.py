"""Chapter 1's flagships, trained to convergence on fresh data: the bottleneck and the overload.

The notebooks train on a fixed set of 3,000 examples for a minute, so a model that fails there
may lack capacity, or only examples. Here every batch is drawn afresh (the loop's generator
seeds the task's own generator), so no model can memorise a training set, and each trains until
its held-out accuracy stops rising. The budgets differ because the read-outs learn at very
different rates; each is long enough for the curve to flatten on every seed:

- ``recall-attention`` and ``recall-final-<width>``: the GRU with the attention read-out
  (width 64; 2,000 steps) against the final-state read-out at widths 80 (the notebook's;
  36,000 steps) and 160 (20,000 steps), on recall of 1 to 8 (key, value) pairs
  (:func:`attnlab.data.recall.make_recall`).
- ``displays-<read-out>``: late fusion (8,000 steps), early fusion (100,000 steps) and attention
  (4,000 steps) on displays of 1 to 16 tagged digits
  (:func:`attnlab.data.displays.make_displays`). Early fusion is the one run here whose budget
  is the claim (``must_converge=False``): at 40,000 and at 100,000 steps its held-out accuracy
  was still rising, in swings of several points between evaluations; the notebook says what 25
  times attention's budget gives it, not where it would stop.

Each ``report`` gives the held-out accuracy by the number of pairs (or items), the x axis of the
notebooks' figures.
"""

from __future__ import annotations

import functools

from ..data.displays import make_displays
from ..data.recall import RecallVocab, make_recall
from ..models.recurrent import RecurrentClassifier
from ..models.sets import TaggedSetClassifier
from ..train import evaluate
from . import Experiment, register

__all__ = ["RECALL_VOCAB", "MAX_PAIRS", "MAX_ITEMS", "recall_tests", "display_tests"]

RECALL_VOCAB, MAX_PAIRS, MAX_ITEMS = RecallVocab(n_keys=16, n_values=8), 8, 16


@functools.lru_cache(maxsize=1)
def recall_tests() -> dict:
    """The held-out sequences: ``"val"``, 1,000 of 1 to 8 pairs (seed 50), and for each number
    of pairs n, 2,000 of n pairs (seed 100 + n), padded to 8 pairs: the notebook's test sets."""
    tests = {n: make_recall(2000, n, RECALL_VOCAB, seed=100 + n, pad_to=MAX_PAIRS) for n in range(1, MAX_PAIRS + 1)}
    return {"val": make_recall(1000, list(range(1, MAX_PAIRS + 1)), RECALL_VOCAB, seed=50), **tests}


@functools.lru_cache(maxsize=1)
def display_tests() -> dict:
    """The held-out displays (test digits): ``"val"``, 4,000 of 16 items (seed 50; enough that
    the noise of a flat curve, about 0.7 points, stays below the convergence rule's 1 point), and
    for each number of items n, 500 of n items (seed 100 + n), padded to 16 slots."""
    tests = {n: make_displays(500, n, split="test", seed=100 + n, pad_to=MAX_ITEMS) for n in range(1, MAX_ITEMS + 1)}
    return {"val": make_displays(4000, MAX_ITEMS, split="test", seed=50), **tests}


def _recall(tokens, lengths, targets):
    return tokens, targets


def _by_size(tests: dict, inputs) -> callable:
    def report(model, config) -> dict:
        return {"accuracy_by_size": {str(n): evaluate(model, inputs(*data)) for n, data in tests().items()
                                     if n != "val"}}
    return report


MODULES = ("data.recall", "data.displays", "models.recurrent", "models.sets", "attention", "pooling", "train",
           "batches", "experiments.memory")
_COMMON = dict(modules=MODULES, higher_is_better=True, notebook="chapters/01-motivation/bottleneck.ipynb")

for _readout, _width, _steps in (("attention", 64, 2000), ("final", 80, 36000), ("final", 160, 20000)):
    register(Experiment(
        name=f"recall-{_readout}" + ("" if _readout == "attention" else f"-{_width}"),
        description=f"GRU (width {_width}) with the {_readout} read-out, recall of 1 to 8 pairs, fresh sequences",
        config=dict(readout=_readout, d_hidden=_width, d_embed=32, batch_size=150, lr=3e-3, clip=1.0),
        build=lambda c: RecurrentClassifier.build(c["readout"], RECALL_VOCAB.size, RECALL_VOCAB.n_values,
                                                  d_embed=c["d_embed"], d_hidden=c["d_hidden"], cell="gru"),
        sampler=lambda c, seed: lambda generator: _recall(*make_recall(
            c["batch_size"], list(range(1, MAX_PAIRS + 1)), RECALL_VOCAB, seed=generator)),
        evaluate=lambda model, c: evaluate(model, _recall(*recall_tests()["val"])),
        val_name="held-out accuracy, 1 to 8 pairs", report=_by_size(recall_tests, _recall),
        steps=_steps, eval_every=_steps // 40, **_COMMON))

for _name, _readout, _steps in (("late-fusion", "mean", 8000), ("early-fusion", "early", 100000),
                                ("attention", "attention", 4000)):
    register(Experiment(
        name=f"displays-{_name}",
        description=f"{_name} read-out of tagged digits, displays of 1 to 16 items, fresh displays",
        config=dict(readout=_readout, d_model=32, batch_size=100, lr=3e-3, clip=1.0),
        build=lambda c: TaggedSetClassifier(d_item=64, n_tags=MAX_ITEMS, n_classes=10, d_model=c["d_model"],
                                            readout=c["readout"]),
        sampler=lambda c, seed: lambda generator: make_displays(
            c["batch_size"], list(range(1, MAX_ITEMS + 1)), split="train", seed=generator, pad_to=MAX_ITEMS),
        evaluate=lambda model, c: evaluate(model, display_tests()["val"]),
        val_name="held-out accuracy, 16 items", report=_by_size(display_tests, lambda *data: data),
        steps=_steps, eval_every=_steps // 40, must_converge=_name != "early-fusion",
        **dict(_COMMON, notebook="chapters/01-motivation/overload.ipynb")))
