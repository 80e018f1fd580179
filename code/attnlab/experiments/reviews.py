"""Chapters 5 and 6's sentence classifiers on the review snippets, trained until the held-out
accuracy stops rising (lstm-query.ipynb, "Same data, same budget"; sentence-vectors.ipynb,
"Real sentences").

The notebooks train each classifier for a few epochs, as long as a minute allows; whether a
model would pull ahead with more training they cannot say. Here every model makes shuffled
passes over the training snippets (batches of 256, Adam at 1e-2, the notebooks' recipe) for
:data:`STEPS` steps, about 20 passes: on seed 0 every held-out curve peaks within the first
five passes and then stays level or falls, as the models memorise their training snippets.
The data are the notebooks' (:func:`attnlab.data.reviews.load_reviews`, snippets cut to 24
tokens, words seen fewer than 3 times become ``<unk>``) with the split as written, whatever
``ATTNLAB_SEED`` says (:func:`data`); 1,000 of the 10,246 training snippets are held out for
the validation metric, so each run trains on 9,246. The ``report`` gives the accuracy on the
2,562 test snippets and on the run's own training snippets (what was memorised), measured on
the weights as stored, rounded to float16 (:func:`_report`).

Chapter 5, pooling over a one-layer CNN's features (64 channels over 32-wide embeddings):

- ``reviews-max-pooling``: max pooling (:class:`~attnlab.models.sentence.PooledConvClassifier`);
- ``reviews-learned-query``: attention pooling with one learned query;
- ``reviews-lstm-query``: attention pooling whose query is an LSTM's sentence vector (64 wide,
  :class:`~attnlab.models.sentence.LSTMQueryConvClassifier`);
- ``reviews-lstm``: that LSTM alone, its state after the last word
  (:class:`~attnlab.models.sentence.LSTMClassifier`).

Chapter 6, three read-outs of one LSTM (32 wide, forget bias 1, left-padded snippets,
:class:`~attnlab.models.recurrent.RecurrentClassifier`): ``reviews-final``, ``reviews-mean``
and ``reviews-attention``.
"""

from __future__ import annotations

import functools

import torch

from ..batches import EpochBatches
from ..data.reviews import load_reviews
from ..models.recurrent import RecurrentClassifier, left_pad
from ..models.sentence import LSTMClassifier, LSTMQueryConvClassifier, PooledConvClassifier
from ..seeding import numpy_rng, unshifted
from ..train import evaluate
from . import Experiment, register

__all__ = ["POOLINGS", "READOUTS", "STEPS", "N_VAL", "data", "build"]

POOLINGS = ("max-pooling", "learned-query", "lstm-query", "lstm")   # chapter 5
READOUTS = ("final", "mean", "attention")                           # chapter 6
STEPS, N_VAL = 720, 1000


@functools.lru_cache(maxsize=1)
@unshifted()
def data() -> dict:
    """The split every run uses: ``"train"`` (the 9,246 training snippets, right-padded),
    ``"val"`` (1,000 other training snippets, a fixed draw), as ``(tokens, sentiment)``;
    ``"test"``, the :class:`~attnlab.data.reviews.Reviews` of the 2,562 test snippets (texts
    and words too); ``"vocab_size"``."""
    train, test = load_reviews(max_len=24, min_count=3)
    order = torch.from_numpy(numpy_rng(24).permutation(len(train.tokens)))
    val, kept = order[:N_VAL], order[N_VAL:]
    return {"train": (train.tokens[kept], train.sentiment[kept]),
            "val": (train.tokens[val], train.sentiment[val]),
            "test": test, "vocab_size": len(train.vocabulary)}


def _padded(config: dict, tokens: torch.Tensor) -> torch.Tensor:
    """The tokens as ``config``'s model reads them: left-padded for chapter 6's read-outs."""
    return left_pad(tokens) if config["model"] in READOUTS else tokens


def split(config: dict, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(tokens, sentiment)`` of ``name`` ("train", "val" or "test") for ``config``'s model."""
    tokens, labels = (data()["test"].tokens, data()["test"].sentiment) if name == "test" else data()[name]
    return _padded(config, tokens), labels


def build(config: dict):
    """The classifier of ``config["model"]`` (one of :data:`POOLINGS` or :data:`READOUTS`)."""
    model, vocab = config["model"], data()["vocab_size"]
    d_embed, width = config["d_embed"], config["width"]
    if model in READOUTS:
        return RecurrentClassifier.build(model, vocab, 2, d_embed=d_embed, d_hidden=width, cell="lstm",
                                         forget_bias=1.0)
    if model == "lstm":
        return LSTMClassifier(vocab, 2, d_embed=d_embed, d_hidden=width)
    if model == "lstm-query":
        return LSTMQueryConvClassifier(vocab, 2, d_embed=d_embed, channels=width, d_hidden=width)
    return PooledConvClassifier(vocab, 2, d_embed=d_embed, channels=width,
                                pooling="max" if model == "max-pooling" else "attention")


def _report(model, config) -> dict:
    """The test and training accuracies of the model as it is stored. Its weights are first
    rounded to float16, the precision :func:`attnlab.checkpoints.save` then keeps them in (in
    float32 the 21 runs' embeddings alone, 6,553 x 32 each, would take 18 MB), so that a loaded
    checkpoint gives exactly the numbers of its record."""
    for tensor in model.state_dict().values():
        tensor.copy_(tensor.half())
    return {"test_accuracy": evaluate(model, split(config, "test")),
            "train_accuracy": evaluate(model, split(config, "train"))}


MODULES = ("data.reviews", "models.sentence", "models.convolutional", "models.recurrent", "pooling",
           "attention", "batches", "train", "experiments.reviews")
_NOTEBOOKS = {"chapter 5": "chapters/05-cnn-attention/lstm-query.ipynb",
              "chapter 6": "chapters/06-lstm-attention/sentence-vectors.ipynb"}

for _model in POOLINGS + READOUTS:
    _chapter = "chapter 6" if _model in READOUTS else "chapter 5"
    register(Experiment(
        name=f"reviews-{_model}",
        description=f"{_chapter}'s {_model} classifier on the review snippets",
        config=dict(model=_model, d_embed=32, width=32 if _model in READOUTS else 64, batch_size=256,
                    lr=1e-2, clip=1.0),
        build=build,
        sampler=lambda c, seed: EpochBatches(split(c, "train"), c["batch_size"], name="train"),
        evaluate=lambda model, c: evaluate(model, split(c, "val")),
        val_name="held-out accuracy", higher_is_better=True, steps=STEPS, eval_every=STEPS // 20,
        modules=MODULES, report=_report, notebook=_NOTEBOOKS[_chapter]))
