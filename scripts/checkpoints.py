"""Train the flagship experiments to convergence: `make checkpoints` (a benchmark, not a test).

    python scripts/checkpoints.py                    # every run that is missing or stale
    python scripts/checkpoints.py g2p-bahdanau-s0    # one run (make checkpoints NAME=...)
    python scripts/checkpoints.py --list             # every run, and whether it is up to date

Each run of attnlab.experiments (an experiment and a seed) is written to
data/checkpoints/<name>/ (model.safetensors and record.json; see attnlab.checkpoints). A run
whose record has the current code hash, configuration and budget is skipped, so an interrupted
`make checkpoints` resumes where it stopped. Runs go two at a time, one thread each (--jobs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def up_to_date(name: str) -> bool:
    from attnlab import checkpoints
    from attnlab.experiments import all_runs, chosen_lr, experiment_hash

    experiment, _ = all_runs()[name]
    try:
        saved = checkpoints.record(name)
    except FileNotFoundError:
        return False
    try:
        lr = chosen_lr(experiment.config["lr"])
    except FileNotFoundError:                   # its sweep is not made yet
        return False
    return (saved["code_hash"] == experiment_hash(experiment)
            and saved["config"] == experiment.config and saved["steps"] == experiment.steps
            and saved.get("lr") == lr)


def run(name: str) -> tuple[str, float, str, str]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from attnlab import checkpoints
    from attnlab.experiments import all_runs, train_run

    experiment, seed = all_runs()[name]
    model, saved = train_run(experiment, seed, verbose=True)
    checkpoints.save(name, model, saved)
    last = saved["curve"]["val"][-1]
    status = "converged" if saved["converged"] else "NOT converged" if experiment.must_converge else "a sweep point"
    return name, saved["seconds"], status, f"{saved['val_name']} {last:.4f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--force", action="store_true", help="retrain even if up to date")
    args = parser.parse_args(argv)
    from attnlab.experiments import all_runs

    runs = all_runs()
    unknown = [n for n in args.names if n not in runs]
    if unknown:
        print(f"unknown runs {unknown}; known: {', '.join(runs)}", file=sys.stderr)
        return 1
    if args.list:
        for name in runs:
            print(f"{name:40} {'up to date' if up_to_date(name) else 'to train'}")
        return 0
    todo = [n for n in (args.names or runs) if args.force or not up_to_date(n)]
    print(f"{len(todo)} of {len(args.names or runs)} runs to train, {args.jobs} at a time", flush=True)
    start, failed = time.perf_counter(), []
    sweeps = [n for n in todo if not runs[n][0].must_converge]   # first: the runs that choose a setting
    for stage in (sweeps, [n for n in todo if n not in sweeps]):
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for future in [pool.submit(run, n) for n in stage]:
                try:
                    name, seconds, status, last = future.result()
                    print(f"{name}: {seconds:.0f} s, {last}, {status}", flush=True)
                    if status == "NOT converged":
                        failed.append(name)
                except Exception as error:  # report every run, then fail
                    print(f"FAILED: {error!r}", flush=True)
                    failed.append(repr(error))
    print(f"done in {time.perf_counter() - start:.0f} s; {len(failed)} runs failed or did not converge: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
