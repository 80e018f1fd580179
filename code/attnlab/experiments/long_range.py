"""Chapter 2's flagships, trained to convergence on fresh data: the long-range task and dynamic weights.

Every model reads the first-and-last-letter task (:func:`attnlab.data.long_range.make_first_last_match`:
a letter, random digits, a letter; the label says whether the letters match). The notebooks
train on 1,000 or 2,000 fixed sequences for 128 to 320 steps; here every batch (64 sequences,
the notebooks' size) is drawn afresh, so no model can fit its training draw, and each trains
with Adam at the notebooks' learning rate, 0.005, until its held-out accuracy stops rising.

*A long-range task* (``long-range-<model>-<length>``), at length 32, where the notebook finds
that a CNN deep enough to see both letters does not leave chance in 320 steps:

- ``long-range-deep-cnn-32``: the notebook's deep CNN, 8 plain convolutions (kernel 5, 16
  channels, receptive field 33), read at its middle output, the only kind that sees both ends;
- ``long-range-residual-cnn-32``: the same wiring and read-out in residual blocks with
  LayerNorm (:class:`~attnlab.models.residual_convolutional.ResidualConvClassifier`), the
  recipe that trains deep networks, of similar size: is the failure the depth or the distance?
- ``long-range-deep-cnn-8`` and ``long-range-residual-cnn-8``: both at length 8, where the
  letters are 3 and 4 positions from the output read: the models can learn the task at all;
- ``long-range-self-attention-32``: the notebook's one-layer pre-LN Transformer, read at
  position 0;
- ``long-range-lstm-32``: the notebook's LSTM (final state, forget-gate bias 5);
- ``long-range-cnn-32``: the notebook's shallow CNN (3 layers, receptive field 13, mean over
  positions), which no weights can bring above 75% at this length: does training to the end
  bring it to that ceiling, or leave it at chance, as the notebook argues from the loss?

The deep CNNs at length 32 get four times the steps of the others, so that "at chance" is said
of a long run (8,000 steps, 512,000 fresh sequences). Each ``report`` gives the test accuracy
(4,000 new sequences) and the parameter count.

*Dynamic weights* (``dynamic-<model>``), tested at lengths 8 to 64:

- ``dynamic-self-attention-16``: the self-attention classifier trained at length 16 only, as
  in the notebook, where it is less accurate away from 16;
- ``dynamic-self-attention-mixed``: the same model trained on every length from 8 to 32 (one
  length per batch, drawn uniformly): does the drop come from the model or from the training
  lengths? Lengths 48 and 64 are beyond any it saw;
- ``dynamic-fully-connected-16``: the notebook's fully connected layer, trained at 16, tested
  through its two adapters (keep the start; keep both ends);
- ``dynamic-external-learned-16``: attention with one learned query, the same for every input
  (:class:`~attnlab.models.external_query.ExternalQueryClassifier`), trained at 16;
- ``dynamic-external-input-16``: the same with a query computed from the input (the mean of its
  embedded tokens, ``query="input"``): one question per input, but one that depends on it.

Each ``report`` gives the test accuracy at every length (4,000 new sequences per length) and
the parameter count; the attention models add the mean weight that the reading query (position
0's for self-attention, the one query for the external models) puts on the last position at
length 16, split by whether the letters match, beside an average digit's.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from ..data.long_range import make_first_last_match, vocab_size
from ..models.convolutional import ConvClassifier
from ..models.external_query import ExternalQueryClassifier
from ..models.fully_connected import FullyConnectedClassifier
from ..models.recurrent import RecurrentClassifier
from ..models.residual_convolutional import ResidualConvClassifier
from ..models.transformer import TransformerClassifier, TransformerConfig
from ..seeding import unshifted
from ..train import count_parameters, evaluate
from . import Experiment, register

__all__ = ["VOCAB", "TEST_LENGTHS", "MIXED_LENGTHS", "VAL_LENGTHS", "LONG_RANGE_MODULES", "DYNAMIC_MODULES",
           "held_out", "keep_start", "keep_ends", "build", "weight_on_last"]

VOCAB = vocab_size()
TEST_LENGTHS = (8, 12, 16, 24, 32, 48, 64)        # the notebook's 8 .. 32, and two beyond the mixed training
MIXED_LENGTHS = tuple(range(8, 33))               # every length from 8 to 32
VAL_LENGTHS = (8, 12, 16, 24, 32)                 # the mixed model's validation: the notebook's lengths


@functools.cache
def held_out(length: int, part: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences of ``length`` that no training batch draws: ``part="val"``, 8,000 (seed 50 +
    length; many, so that a model at chance does not seem to gain by luck), or ``"test"``,
    4,000 (seed 100 + length); the written seeds, whatever ``ATTNLAB_SEED`` says."""
    n, seed = {"val": (8000, 50), "test": (4000, 100)}[part]
    with unshifted():
        return make_first_last_match(n, length, seed=seed + length)


def keep_start(tokens: torch.Tensor, slots: int = 16) -> torch.Tensor:
    """The fully connected layer's first adapter (as in the notebook): cut to the first
    ``slots`` tokens, or pad with PAD (id 0) at the end."""
    n = tokens.shape[1]
    return tokens[:, :slots] if n >= slots else nn.functional.pad(tokens, (0, slots - n))


def keep_ends(tokens: torch.Tensor, slots: int = 16) -> torch.Tensor:
    """The second adapter: keep the first and the last ``slots // 2`` tokens, or pad a shorter
    sequence with PAD in the middle."""
    n, half = tokens.shape[1], slots // 2
    if n >= slots:
        return torch.cat([tokens[:, :half], tokens[:, -half:]], dim=1)
    middle = torch.zeros(len(tokens), slots - n, dtype=tokens.dtype)
    return torch.cat([tokens[:, : n // 2], middle, tokens[:, n // 2:]], dim=1)


def build(c: dict) -> nn.Module:
    """The model of configuration ``c`` (``c["model"]`` names it), as the notebooks build it."""
    model = c["model"]
    if model == "cnn":
        return ConvClassifier(VOCAB, 2, d_embed=16, channels=c["channels"], kernel_size=5, n_layers=c["n_layers"],
                              pooling=c["pooling"])
    if model == "residual-cnn":
        return ResidualConvClassifier(VOCAB, 2, channels=c["channels"], kernel_size=5, n_layers=c["n_layers"],
                                      pooling=c["pooling"])
    if model == "lstm":
        return RecurrentClassifier.build("final", VOCAB, 2, d_embed=16, d_hidden=40, cell="lstm", forget_bias=5.0)
    if model == "self-attention":
        return TransformerClassifier(TransformerConfig(vocab_size=VOCAB, d_model=32, num_heads=2, n_layers=1, d_ff=64,
                                                       pooling="first"))
    if model == "fully-connected":
        return FullyConnectedClassifier(VOCAB, length=c["length"], d_embed=8, d_hidden=32)
    if model == "external":
        return ExternalQueryClassifier(VOCAB, query=c["query"])
    raise ValueError(f"no model {model!r}")


def _sampler(c: dict, seed: int):
    """Fresh batches: of ``c["length"]``, or of one length drawn from ``c["lengths"]`` per batch."""
    lengths = c.get("lengths")
    if lengths is None:
        return lambda generator: make_first_last_match(c["batch_size"], c["length"], seed=generator)

    def sample(generator):
        length = lengths[int(torch.randint(len(lengths), (1,), generator=generator))]
        return make_first_last_match(c["batch_size"], length, seed=generator)
    return sample


def _validate(model: nn.Module, c: dict) -> float:
    """Held-out accuracy on the training lengths: at ``c["length"]``, or the mean over the
    notebook's lengths for a model trained on mixed lengths."""
    lengths = VAL_LENGTHS if c.get("lengths") else (c["length"],)
    return sum(evaluate(model, held_out(n, "val")) for n in lengths) / len(lengths)


@torch.no_grad()
def weight_on_last(model: nn.Module, length: int = 16) -> dict:
    """The mean attention weight of the reading query on the last position of the test
    sequences of ``length`` whose letters differ and match, and on an average digit."""
    tokens, labels = held_out(length, "test")
    _, weights = model.attend(tokens)
    row = weights.mean(1) if isinstance(model, ExternalQueryClassifier) else weights[0].mean(1)[:, 0]
    return {"differ": row[labels == 0, -1].mean().item(), "same": row[labels == 1, -1].mean().item(),
            "digit": row[:, 1:-1].mean().item()}


def _long_range_report(model: nn.Module, c: dict) -> dict:
    return {"accuracy": evaluate(model, held_out(c["length"], "test")), "parameters": count_parameters(model)}


def _dynamic_report(model: nn.Module, c: dict) -> dict:
    results = {"parameters": count_parameters(model)}
    if c["model"] == "fully-connected":
        for key, adapter in (("keep_start", keep_start), ("keep_ends", keep_ends)):
            results[f"accuracy_by_length_{key}"] = {
                str(n): evaluate(model, (adapter(held_out(n, "test")[0]), held_out(n, "test")[1]))
                for n in TEST_LENGTHS}
        return results
    results["accuracy_by_length"] = {str(n): evaluate(model, held_out(n, "test")) for n in TEST_LENGTHS}
    results["weight_on_last_16"] = weight_on_last(model, 16)
    return results


_SHARED = ("data.long_range", "models.transformer", "attention", "positional", "train", "batches",
           "experiments.long_range")
LONG_RANGE_MODULES = (*_SHARED, "models.convolutional", "models.residual_convolutional", "models.recurrent")
DYNAMIC_MODULES = (*_SHARED, "models.fully_connected", "models.external_query")
_COMMON = dict(build=build, sampler=_sampler, evaluate=_validate, higher_is_better=True)
_RECIPE = dict(batch_size=64, lr=5e-3, clip=1.0)

# name: (what it is, configuration, steps, evaluation every)
_LONG_RANGE = {
    "deep-cnn-32": ("the notebook's deep CNN: 8 plain convolutions (kernel 5, 16 channels), middle output",
                    dict(model="cnn", channels=16, n_layers=8, pooling="middle", length=32), 8000, 400),
    "residual-cnn-32": ("8 residual blocks with LayerNorm (kernel 5, 16 channels), middle output",
                        dict(model="residual-cnn", channels=16, n_layers=8, pooling="middle", length=32), 8000, 400),
    "self-attention-32": ("one pre-LN Transformer layer (d_model 32, 2 heads), read at position 0",
                          dict(model="self-attention", length=32), 2000, 100),
    "lstm-32": ("LSTM (40 units, forget-gate bias 5), final state", dict(model="lstm", length=32), 2000, 100),
    "cnn-32": ("the notebook's shallow CNN: 3 convolutions (kernel 5, 28 channels), mean over positions",
               dict(model="cnn", channels=28, n_layers=3, pooling="mean", length=32), 4000, 200),
    "deep-cnn-8": ("the deep CNN of long-range-deep-cnn-32, at length 8",
                   dict(model="cnn", channels=16, n_layers=8, pooling="middle", length=8), 2000, 100),
    "residual-cnn-8": ("the residual CNN of long-range-residual-cnn-32, at length 8",
                       dict(model="residual-cnn", channels=16, n_layers=8, pooling="middle", length=8), 2000, 100),
}
for _name, (_what, _config, _steps, _every) in _LONG_RANGE.items():
    register(Experiment(
        name=f"long-range-{_name}",
        description=f"{_what}; first and last letter match, length {_config['length']}, fresh sequences",
        config=dict(_config, **_RECIPE), val_name=f"held-out accuracy, length {_config['length']}",
        steps=_steps, eval_every=_every, report=_long_range_report,
        notebook="chapters/02-long-range/long-range-task.ipynb", modules=LONG_RANGE_MODULES, **_COMMON))

_DYNAMIC = {
    "self-attention-16": ("self-attention trained at length 16", dict(model="self-attention", length=16), 3000, 150),
    "self-attention-mixed": ("self-attention trained on every length from 8 to 32",
                             dict(model="self-attention", length=None, lengths=list(MIXED_LENGTHS)), 3000, 150),
    "fully-connected-16": ("fully connected layer over 16 positions", dict(model="fully-connected", length=16),
                           2000, 100),
    "external-learned-16": ("one learned external query, trained at length 16",
                            dict(model="external", query="learned", length=16), 2000, 100),
    "external-input-16": ("one external query computed from the input (its mean embedding), trained at 16",
                          dict(model="external", query="input", length=16), 2000, 100),
}
for _name, (_what, _config, _steps, _every) in _DYNAMIC.items():
    register(Experiment(
        name=f"dynamic-{_name}", description=f"{_what}; first and last letter match, fresh sequences",
        config=dict(_config, **_RECIPE),
        val_name="held-out accuracy, " + ("mean over lengths 8, 12, 16, 24, 32" if _config.get("lengths")
                                          else "length 16"),
        steps=_steps, eval_every=_every, report=_dynamic_report,
        notebook="chapters/02-long-range/dynamic-weights.ipynb", modules=DYNAMIC_MODULES, **_COMMON))
