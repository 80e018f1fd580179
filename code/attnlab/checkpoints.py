"""Converged evidence: models trained to the end by ``make checkpoints``, loaded by the notebooks.

A notebook has a minute; the comparison a chapter exists for needs models trained until their
validation curve is flat. ``make checkpoints`` (``scripts/checkpoints.py``) trains every
experiment of :mod:`attnlab.experiments` with each of its seeds and writes
``data/checkpoints/<name>/``:

- ``model.safetensors``: the weights;
- ``record.json``: ``experiment``, ``seed``, ``steps``, ``seconds``, ``torch`` (version),
  ``code_hash`` (of the package modules the training depends on), ``config``, ``val_name``,
  ``higher_is_better``, ``curve = {"step": [...], "val": [...], "train_loss": [...]}`` sampled
  through training, ``first_losses`` (the training loss of each of the first 20 steps, so that
  tests/test_checkpoints.py can show the checkpoint comes from this code), and ``converged``.

``load(name)`` returns ``(model, record)``. A record is "converged" when its validation metric
gained less than :data:`CONVERGED_GAIN` over the last fifth of its steps.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from .paths import DATA_DIR

__all__ = ["CHECKPOINTS_DIR", "CONVERGED_GAIN", "FIRST_STEPS", "code_hash", "is_converged", "names",
           "last_fifth_gain", "record", "load", "load_seeds", "final_values", "save"]

CHECKPOINTS_DIR = DATA_DIR / "checkpoints"
CONVERGED_GAIN = 0.01   # the most the validation metric may gain over the last fifth of the steps
FIRST_STEPS = 20        # losses kept to show a checkpoint was made by this code
PACKAGE = Path(__file__).resolve().parent


def code_hash(modules: list[str]) -> str:
    """A hash of the source of the package ``modules`` (dotted names below ``attnlab``, e.g.
    ``"models.seq2seq"``; a package stands for all its files): what a training depends on."""
    digest = hashlib.sha256()
    for module in sorted(modules):
        path = PACKAGE.joinpath(*module.split("."))
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
        if not files or not files[0].exists():
            raise ValueError(f"no module attnlab.{module} to hash")
        for file in files:
            digest.update(file.relative_to(PACKAGE).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def last_fifth_gain(steps: list[int], values: list[float], higher_is_better: bool) -> float:
    """What the metric gained over the last fifth of the steps: the best value of the run's last
    fifth against the best value before it (negative when the run got worse)."""
    if len(steps) < 5:
        raise ValueError(f"a curve needs at least 5 evaluations to have a last fifth, got {len(steps)}")
    cut = steps[-1] - (steps[-1] - steps[0]) / 5
    before = [v for s, v in zip(steps, values) if s <= cut]
    after = [v for s, v in zip(steps, values) if s > cut]
    sign = 1.0 if higher_is_better else -1.0
    return sign * (max(after, key=lambda v: sign * v) - max(before, key=lambda v: sign * v))


def is_converged(steps: list[int], values: list[float], higher_is_better: bool) -> bool:
    """True when the metric gained less than :data:`CONVERGED_GAIN` over the last fifth of the
    steps (:func:`last_fifth_gain`); a curve of fewer than 5 evaluations is not converged."""
    return len(steps) >= 5 and last_fifth_gain(steps, values, higher_is_better) < CONVERGED_GAIN


def names() -> list[str]:
    """The checkpoints on disk, by name."""
    return sorted(p.parent.name for p in CHECKPOINTS_DIR.glob("*/record.json"))


def record(name: str) -> dict:
    """The ``record.json`` of checkpoint ``name``."""
    path = CHECKPOINTS_DIR / name / "record.json"
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint {name!r} in {CHECKPOINTS_DIR}: make it with "
                                f"`make checkpoints NAME={name}` (known: {', '.join(names()) or 'none'})")
    return json.loads(path.read_text())


def load(name: str, *, retrain: bool = False):
    """``(model, record)`` of checkpoint ``name``, the model in evaluation mode on the CPU.

    With ``retrain`` (the notebooks' flag for Colab), the experiment is trained afresh instead,
    as ``make checkpoints`` would; it takes as long as the record's ``seconds`` said.
    """
    from safetensors.torch import load_model

    from .experiments import experiment_of, train_run

    saved = record(name)
    experiment = experiment_of(saved["experiment"])
    if retrain:
        model, fresh = train_run(experiment, saved["seed"])
        return model.eval(), fresh
    model = experiment.build(saved["config"])
    load_model(model, str(CHECKPOINTS_DIR / name / "model.safetensors"))
    return model.eval(), saved


def load_seeds(experiment: str, *, retrain: bool = False) -> tuple[list[torch.nn.Module], list[dict]]:
    """The models and records of every seed of ``experiment`` (a name of
    :data:`attnlab.experiments.EXPERIMENTS`), in the order of its seeds: what a notebook shows as
    mean and range. ``retrain`` as in :func:`load`."""
    from .experiments import checkpoint_name, experiment_of

    chosen = experiment_of(experiment)
    loaded = [load(checkpoint_name(chosen, seed), retrain=retrain) for seed in chosen.seeds]
    return [model for model, _ in loaded], [saved for _, saved in loaded]


def final_values(records: list[dict], key: str | None = None) -> torch.Tensor:
    """One number per record: its ``results[key]``, or with no ``key`` the last value of its
    validation curve; ``key`` may go down nested results with dots (``"accuracy_by_length.32"``)."""
    values = []
    for saved in records:
        value = saved["curve"]["val"][-1]
        if key is not None:
            value = saved["results"]
            for part in key.split("."):
                if part not in value:
                    raise KeyError(f"record {saved['experiment']}-s{saved['seed']} has no result {key!r}; "
                                   f"it has {sorted(value)}")
                value = value[part]
        values.append(float(value))
    return torch.tensor(values)


def save(name: str, model: torch.nn.Module, saved: dict) -> Path:
    """Write ``model``'s weights and ``saved`` (the record) under ``data/checkpoints/<name>/``:
    in float16 when every weight is a float32 that float16 holds exactly, else as they are."""
    from safetensors.torch import save_file, save_model

    folder = CHECKPOINTS_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    state = model.cpu().state_dict()
    if state and all(t.is_floating_point() and torch.equal(t, t.half().float()) for t in state.values()):
        # every weight already rounded to half precision (see attnlab.experiments.reviews):
        # stored in half the bytes, read back exactly into the float32 model
        save_file({k: t.half().contiguous() for k, t in state.items()}, str(folder / "model.safetensors"))
    else:
        save_model(model, str(folder / "model.safetensors"))   # tied weights are stored once
    (folder / "record.json").write_text(json.dumps(saved, indent=1) + "\n")
    return folder
