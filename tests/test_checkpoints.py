"""The converged checkpoints (data/checkpoints, made by `make checkpoints`) come from this code.

For every record on disk: it names a registered run and holds every field the book reads; its
code hash is the hash of the package source it was trained with (else the failure names the
`make checkpoints NAME=...` that remakes it); its "converged" flag agrees with its own curve; and
for one seed of each experiment, the first steps trained again give the recorded losses. The
machinery itself (hashes, the convergence rule, the learning-rate choice) is tested on its own.
"""

import json

import pytest
import torch

from attnlab import checkpoints
from attnlab.checkpoints import FIRST_STEPS, code_hash, is_converged, last_fifth_gain
from attnlab.experiments import all_runs, chosen_lr, experiment_hash, train_run
from attnlab.experiments.g2p import SWEEP_LRS

RECORDS = {name: checkpoints.record(name) for name in checkpoints.names()}
FIELDS = {"experiment", "seed", "steps", "seconds", "torch", "code_hash", "config", "lr", "val_name",
          "higher_is_better", "curve", "first_losses", "converged"}


def one_seed_each() -> list[str]:
    """The record of the lowest seed of each experiment on disk."""
    first = {}
    for name, saved in sorted(RECORDS.items(), key=lambda item: item[1]["seed"]):
        first.setdefault(saved["experiment"], name)
    return sorted(first.values())


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_record_is_a_registered_run_with_every_field(name):
    saved = RECORDS[name]
    assert name in all_runs(), f"{name} is on disk but no experiment makes it: delete data/checkpoints/{name}"
    assert FIELDS <= set(saved), f"{name} lacks {FIELDS - set(saved)}: `make checkpoints NAME={name}`"
    experiment, seed = all_runs()[name]
    assert (saved["experiment"], saved["seed"], saved["config"]) == (experiment.name, seed, experiment.config)
    curve = saved["curve"]
    assert len(curve["step"]) == len(curve["val"]) == len(curve["train_loss"]) and curve["step"][-1] == saved["steps"]
    assert len(saved["first_losses"]) == FIRST_STEPS
    assert saved["lr"] == chosen_lr(experiment.config["lr"]), f"its sweep changed: `make checkpoints NAME={name}`"


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_record_was_made_by_the_code_of_today(name):
    experiment, _ = all_runs()[name]
    assert RECORDS[name]["code_hash"] == experiment_hash(experiment), (
        f"the code {name} depends on ({', '.join(experiment.modules)}) has changed since it was trained: "
        f"`make checkpoints NAME={name}`")


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_converged_record_has_a_flat_curve(name):
    saved, (experiment, _) = RECORDS[name], all_runs()[name]
    curve = saved["curve"]
    assert saved["converged"] == is_converged(curve["step"], curve["val"], saved["higher_is_better"])
    if experiment.must_converge:
        assert saved["converged"], f"{name} was still improving at its last step: give it more steps"


# Max pooling sends each channel's gradient to one position: where two positions nearly tie, the
# float32 rounding of another CPU's kernels (AVX-512 against AVX2) can move it, and the losses of
# a CNN that pools by maxima drift apart. Measured on 2026-12-08, on an AVX-512 EPYC against
# records made on another machine, at steps 16-19: 1.3e-4 (reviews-max-pooling), 1.6e-4 to
# 1.9e-4 (cluttered-none, -channel, -non-local), 1.25e-4 (long-range-deep-cnn-8); every other
# run of one_seed_each() stayed within 1e-4 (most within 2e-7). A change of the code moves the
# losses by far more than 1e-3.
MAX_POOLING_RTOL = 1e-3
MAX_POOLING = ("reviews-max-pooling", "cluttered-", "long-range-deep-cnn")


@pytest.mark.parametrize("name", one_seed_each())
def test_the_first_steps_trained_again_give_the_recorded_losses(name):
    experiment, seed = all_runs()[name]
    _, fresh = train_run(experiment, seed, steps=FIRST_STEPS, report=False)
    torch.testing.assert_close(torch.tensor(fresh["first_losses"]), torch.tensor(RECORDS[name]["first_losses"]),
                               rtol=MAX_POOLING_RTOL if experiment.name.startswith(MAX_POOLING) else 1e-4, atol=0.0)


def test_a_checkpoint_loads_as_it_was_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", tmp_path)
    name = "g2p-bahdanau-s0"
    experiment, seed = all_runs()[name]
    model = experiment.build(experiment.config)
    saved = {"experiment": experiment.name, "seed": seed, "config": experiment.config}
    checkpoints.save(name, model, saved)
    loaded, record = checkpoints.load(name)
    assert record == saved and not loaded.training
    for (key, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), key
    with pytest.raises(FileNotFoundError, match="make checkpoints NAME=g2p-none-s1"):
        checkpoints.load("g2p-none-s1")


def test_weights_rounded_to_half_precision_are_stored_in_half_the_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", tmp_path)
    experiment = all_runs()["reviews-max-pooling-s0"][0]
    saved = {"experiment": experiment.name, "seed": 0, "config": experiment.config}
    model = experiment.build(experiment.config)
    checkpoints.save("full", model, saved)
    experiment.report(model, experiment.config)                # rounds the weights to float16 first
    assert all(torch.equal(t, t.half().float()) for t in model.state_dict().values())
    checkpoints.save("half", model, saved)
    sizes = {n: (tmp_path / n / "model.safetensors").stat().st_size for n in ("full", "half")}
    assert sizes["half"] < 0.51 * sizes["full"]
    loaded, _ = checkpoints.load("half")
    for (key, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert a.dtype == b.dtype == torch.float32 and torch.equal(a, b), key


def test_the_code_hash_follows_the_source(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    monkeypatch.setattr(checkpoints, "PACKAGE", tmp_path)
    before = code_hash(["models", "b"])
    assert code_hash(["b", "models"]) == before                # the order of the names does not matter
    (tmp_path / "models" / "a.py").write_text("x = 2\n")
    assert code_hash(["models", "b"]) != before
    with pytest.raises(ValueError, match="no module attnlab.c to hash"):
        code_hash(["c"])


@pytest.mark.parametrize("values, gain, converged", [
    ([0.1, 0.5, 0.80, 0.81, 0.815, 0.818], 0.003, True),       # the last fifth gains 0.003 on the best before
    ([0.1, 0.5, 0.70, 0.75, 0.78, 0.80], 0.02, False),         # still gaining 0.02
    ([0.5, 0.7, 0.80, 0.80, 0.80, 0.75], -0.05, True),         # falling at the end: no gain
])
def test_the_convergence_rule(values, gain, converged):
    steps = [100 * (i + 1) for i in range(len(values))]
    assert last_fifth_gain(steps, values, higher_is_better=True) == pytest.approx(gain)
    assert last_fifth_gain(steps, [-v for v in values], higher_is_better=False) == pytest.approx(gain)
    assert is_converged(steps, values, higher_is_better=True) == converged
    assert is_converged(steps, [-v for v in values], higher_is_better=False) == converged
    assert not is_converged(steps[:4], values[:4], higher_is_better=True)  # too short to tell


def test_the_learning_rate_is_the_best_of_its_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", tmp_path)
    finals = [0.61, 0.72, 0.65, 0.3, 0.2][:len(SWEEP_LRS)]            # 3e-3 ends best
    for lr, final in zip(SWEEP_LRS, finals):
        folder = tmp_path / f"g2p-sweep-recurrent-lr{lr:g}-s0"
        folder.mkdir()
        (folder / "record.json").write_text(json.dumps(
            {"higher_is_better": True, "curve": {"val": [0.9, final]}, "config": {"lr": lr}}))
    assert chosen_lr("sweep:g2p-sweep-recurrent") == 3e-3           # the final value decides, not the best
    assert chosen_lr(5e-4) == 5e-4
    with pytest.raises(FileNotFoundError, match="make checkpoints NAME=g2p-sweep-transformer"):
        chosen_lr("sweep:g2p-sweep-transformer")
    with pytest.raises(ValueError, match="lr must be a number or 'sweep:"):
        chosen_lr("sweep:no-such-experiment")


def test_every_seed_of_an_experiment_loads_in_the_order_of_its_seeds(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", tmp_path)
    experiment = all_runs()["long-range-lstm-32-s0"][0]
    for seed in experiment.seeds:
        saved = {"experiment": experiment.name, "seed": seed, "config": experiment.config,
                 "curve": {"val": [0.5, 0.9 + seed / 100]}, "results": {"accuracy": {"32": seed / 10}}}
        checkpoints.save(f"{experiment.name}-s{seed}", experiment.build(experiment.config), saved)
    models, records = checkpoints.load_seeds(experiment.name)
    assert [r["seed"] for r in records] == list(experiment.seeds) and len(models) == len(experiment.seeds)
    torch.testing.assert_close(checkpoints.final_values(records), torch.tensor([0.90, 0.91, 0.92]))
    torch.testing.assert_close(checkpoints.final_values(records, "accuracy.32"), torch.tensor([0.0, 0.1, 0.2]))
    with pytest.raises(KeyError, match="has no result 'accuracy.16'"):
        checkpoints.final_values(records, "accuracy.16")
    with pytest.raises(KeyError, match="no experiment 'long-range-none'"):
        checkpoints.load_seeds("long-range-none")
