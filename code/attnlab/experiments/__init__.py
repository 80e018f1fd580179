"""The flagship experiments, trained to convergence by ``make checkpoints`` (chapters 1-7).

An :class:`Experiment` says everything a run needs: how to build the model from its
configuration, how to draw training batches and score a model on held-out data, the budget, the
seeds, and which package modules the training depends on (their hash goes in the record, so a
change to them makes the checkpoint stale). :func:`train_run` trains one seed with the course's
one loop (:func:`attnlab.train.train`) and returns ``(model, record)``;
:mod:`attnlab.checkpoints` saves and loads the results.

Each experiment lives in a module of this package named after its notebook's topic and is
registered in :data:`EXPERIMENTS` when the module is imported below.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ..checkpoints import FIRST_STEPS, code_hash, is_converged
from ..batches import last_is_target
from ..seeding import seed_everything, unshifted
from ..train import cross_entropy, train

__all__ = ["Experiment", "EXPERIMENTS", "register", "experiment_of", "experiment_hash", "checkpoint_name",
           "all_runs", "chosen_lr", "train_run"]


@dataclass(frozen=True)
class Experiment:
    """One experiment: ``build(config) -> model``; ``sampler(config, seed) -> sample`` (see
    :mod:`attnlab.batches`); ``evaluate(model, config) -> float`` on held-out data, named
    ``val_name``; ``steps`` Adam steps at ``config["lr"]`` (a number, or ``"sweep:<prefix>"``:
    the learning rate of the best run among the experiments named ``<prefix>...``, which
    :func:`chosen_lr` reads from their records) with ``config.get("warmup", 0)``,
    evaluated every ``eval_every`` steps; one run per seed of ``seeds``. A short run that picks a
    setting (one point of a learning-rate sweep) has ``must_converge=False``. ``report(model,
    config) -> dict``, if given, measures the trained model (say, its test errors by length); the
    record keeps it as ``results``, so that a notebook need not decode a thousand phrases."""
    name: str
    description: str
    config: dict
    build: Callable[[dict], nn.Module]
    sampler: Callable[[dict, int], Callable]
    evaluate: Callable[[nn.Module, dict], float]
    val_name: str
    higher_is_better: bool
    steps: int
    eval_every: int
    modules: tuple[str, ...]
    transform: Callable = last_is_target
    loss_fn: Callable = cross_entropy
    seeds: tuple[int, ...] = (0, 1, 2)
    notebook: str = ""
    must_converge: bool = True
    report: Callable[[nn.Module, dict], dict] | None = None
    extra: dict = field(default_factory=dict)


EXPERIMENTS: dict[str, Experiment] = {}


def register(experiment: Experiment) -> Experiment:
    if experiment.name in EXPERIMENTS:
        raise ValueError(f"experiment {experiment.name!r} is registered twice")
    EXPERIMENTS[experiment.name] = experiment
    return experiment


def experiment_of(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise KeyError(f"no experiment {name!r}; known: {', '.join(sorted(EXPERIMENTS))}")
    return EXPERIMENTS[name]


def experiment_hash(experiment: Experiment) -> str:
    """The hash of what a run of ``experiment`` depends on: its modules, this one (the runner)
    and the seeding."""
    return code_hash([*experiment.modules, "experiments.__init__", "seeding"])


def checkpoint_name(experiment: Experiment, seed: int) -> str:
    return f"{experiment.name}-s{seed}"


def all_runs() -> dict[str, tuple[Experiment, int]]:
    """Every checkpoint ``make checkpoints`` makes, by name."""
    return {checkpoint_name(e, s): (e, s) for e in EXPERIMENTS.values() for s in e.seeds}


def chosen_lr(lr: float | str) -> float:
    """``lr`` itself, or for ``"sweep:<prefix>"`` the ``config["lr"]`` of the sweep run (every
    seed of every experiment whose name starts with ``<prefix>``) with the best final validation
    metric: the learning rate is chosen on validation data, by code, from the records."""
    if not isinstance(lr, str):
        return float(lr)
    from ..checkpoints import record

    prefix = lr.removeprefix("sweep:")
    sweep = [name for name, (e, _) in all_runs().items() if e.name.startswith(prefix)]
    if not lr.startswith("sweep:") or not sweep:
        raise ValueError(f"lr must be a number or 'sweep:<prefix of registered experiments>', got {lr!r}")
    records = [record(name) for name in sweep]       # FileNotFoundError names the run to make first
    sign = 1.0 if records[0]["higher_is_better"] else -1.0
    return float(max(records, key=lambda r: sign * r["curve"]["val"][-1])["config"]["lr"])


@unshifted()
def train_run(experiment: Experiment, seed: int, *, steps: int | None = None, verbose: bool = False,
              report: bool = True):
    """Train ``experiment`` with ``seed`` (as written: ``ATTNLAB_SEED`` does not shift it) for
    ``steps`` (default: its budget). Returns ``(model, record)``, the record as
    :mod:`attnlab.checkpoints` stores it; ``report=False`` skips the experiment's ``report``."""
    config, steps = experiment.config, steps or experiment.steps
    seed_everything(seed)
    model = experiment.build(config)
    start, cpu_start = time.perf_counter(), time.process_time()

    def report(step, curve):
        if verbose and curve.eval_steps and curve.eval_steps[-1] == step:
            print(f"{experiment.name} seed {seed}: step {step}/{steps}  loss {curve.train_loss[-1]:.4f}  "
                  f"{experiment.val_name} {curve.evaluations[-1]:.4f}  ({time.perf_counter() - start:.0f} s)",
                  flush=True)

    lr = chosen_lr(config["lr"])
    curve = train(model, experiment.sampler(config, seed), steps=steps, lr=lr,
                  warmup=config.get("warmup", 0), clip=config.get("clip", 1.0), seed=seed,
                  transform=experiment.transform, loss_fn=experiment.loss_fn,
                  evaluate=lambda m: experiment.evaluate(m, config), eval_every=experiment.eval_every,
                  on_step=report)
    saved = {
        "experiment": experiment.name, "seed": seed, "steps": steps, "seconds": round(curve.seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu_start, 1),   # the training's own, whatever ran beside it
        "torch": torch.__version__, "code_hash": experiment_hash(experiment), "config": config,
        "lr": lr, "val_name": experiment.val_name, "higher_is_better": experiment.higher_is_better,
        "curve": {"step": curve.eval_steps, "val": curve.evaluations,
                  "train_loss": [sum(curve.train_loss[a:b]) / (b - a)      # the mean since the last evaluation
                                 for a, b in zip([0] + curve.eval_steps[:-1], curve.eval_steps)]},
        "first_losses": curve.train_loss[:FIRST_STEPS],
        "converged": is_converged(curve.eval_steps, curve.evaluations, experiment.higher_is_better),
    }
    if report and experiment.report is not None:
        with torch.no_grad():
            saved["results"] = experiment.report(model.eval(), config)
    return model, saved


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
