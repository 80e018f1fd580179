"""Chapter 7.1's LayerNorm order, trained long enough to call a run "stuck".

The notebook trains a decoder-only Transformer on Austen for 60 steps at learning rate 0.03
without warm-up and finds post-LN near the unigram loss, pre-LN well below it. Sixty steps
cannot tell "stuck" from "slow". Here the same two models, on the same data, at the same
learning rate, still without warm-up and without gradient clipping, train until their held-out
loss is flat by the convergence rule of :mod:`attnlab.checkpoints`:

- ``layer-norm-post``: post-LN, ``norm(x + sublayer(x))`` (the original Transformer's order);
- ``layer-norm-pre``: pre-LN, ``x + sublayer(norm(x))`` (GPT-2's);
- ``layer-norm-post-warmup``: post-LN with the notebook's 30 warm-up steps, the usual rescue:
  does it still hold when training goes on?

Both are the notebook's model (4 layers, ``d_model`` 32, 4 heads, ``d_ff`` 64, embeddings
scaled by sqrt(d_model) with standard deviation d_model^-1/2) and its batches (16 windows of 32
characters of the first 200,000 characters of every novel but *Persuasion*). The validation
metric is the next-character loss (nats) on 256 non-overlapping windows of *Persuasion*; the
``report`` adds the loss on the 350 windows after them and the unigram entropy of the training
text, the loss of a model that ignores the context. The budget, 8,000 steps (133 times the
notebook's), is what the slowest pre-LN seed needs to flatten; a post-LN run that is still at
the unigram loss then has been stuck for thousands of steps, not slow. The mechanism, the per-layer gradient norms
at initialisation (Xiong et al. 2020), needs no training: :func:`attnlab.gradients.layer_gradient_norms`
measures it live in the notebook.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from ..batches import Windows, next_token
from ..data.austen import AustenCharacters, load_austen_characters
from ..models.transformer import CausalLanguageModel, TransformerConfig
from . import Experiment, register

__all__ = ["CONTEXT", "VAL_WINDOWS", "characters", "held_out", "unigram_entropy", "build"]

MODULES = ("data.austen", "models.transformer", "attention", "positional", "batches", "train",
           "experiments.layer_norm")
CONTEXT, VAL_WINDOWS = 32, 256


@functools.lru_cache(maxsize=1)
def characters() -> AustenCharacters:
    """The notebook's text: :func:`~attnlab.data.austen.load_austen_characters` with its defaults."""
    return load_austen_characters()


def held_out(part: str) -> torch.Tensor:
    """Non-overlapping windows of ``CONTEXT + 1`` characters of the held-out novel: the first
    ``VAL_WINDOWS`` (``part="val"``) or all the others (``"test"``)."""
    if part not in ("val", "test"):
        raise ValueError(f"part must be 'val' or 'test', got {part!r}")
    test = characters().test
    windows = test[: len(test) // (CONTEXT + 1) * (CONTEXT + 1)].view(-1, CONTEXT + 1)
    return windows[:VAL_WINDOWS] if part == "val" else windows[VAL_WINDOWS:]


def unigram_entropy() -> float:
    """The entropy (nats) of the training text's character frequencies, as the notebook computes it."""
    data = characters()
    counts = torch.bincount(data.train, minlength=len(data.chars)).double()
    p = counts / counts.sum()
    return -(p * p.clamp_min(1e-12).log()).sum().item()


def _loss(model, windows: torch.Tensor) -> float:
    """Mean next-character cross-entropy (nats) over every position of ``windows``."""
    inputs, targets = next_token((windows,))
    logits = model(*inputs)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)).item()


def build(config: dict) -> CausalLanguageModel:
    """The notebook's model with ``config``'s LayerNorm order (``norm_first``)."""
    return CausalLanguageModel(TransformerConfig(
        vocab_size=len(characters().chars), d_model=config["d_model"], num_heads=config["num_heads"],
        n_layers=config["n_layers"], d_ff=config["d_ff"], norm_first=config["norm_first"],
        scale_embedding=True, embedding_std=config["d_model"] ** -0.5))


def _report(model, config) -> dict:
    return {"test_loss": _loss(model, held_out("test")), "unigram_entropy": unigram_entropy()}


for _name, _norm_first, _warmup in (("post", False, 0), ("pre", True, 0), ("post-warmup", False, 30)):
    register(Experiment(
        name=f"layer-norm-{_name}", notebook="chapters/07-pure-attention/transformer.ipynb",
        description=f"{_name.split('-')[0]}-LN decoder-only Transformer on Austen characters, lr 0.03, "
                    f"{_warmup or 'no'} warm-up steps, no clipping",
        config=dict(norm_first=_norm_first, d_model=32, num_heads=4, n_layers=4, d_ff=64, batch_size=16,
                    lr=3e-2, warmup=_warmup, clip=None),
        build=build, sampler=lambda config, seed: Windows(characters().train, CONTEXT, config["batch_size"]),
        transform=next_token, evaluate=lambda model, config: _loss(model, held_out("val")),
        val_name="held-out loss (nats per character)", higher_is_better=False,
        steps=8000, eval_every=100, modules=MODULES, report=_report))
