"""Seconds per notebook: run each in a fresh kernel, from an empty temporary folder.

    python scripts/timings.py                      # every notebook in _toc.yml (`make timings`)
    python scripts/timings.py chapters/01-motivation/bottleneck.ipynb

Writes a Markdown table (seconds per notebook, then the median and the max) to stdout and to
timings.md (gitignored). The temporary folder stands in for Colab's empty working directory: a
notebook that reads a file by a relative path fails here. Exits non-zero if a notebook fails.
The budget: at most 60 s per notebook on 2 CPU cores; aim for 30 s or less.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

ROOT = nbtools.ROOT
BUDGET_S = 60


def run(path: Path) -> tuple[float, str]:
    """Execute one notebook; return (seconds, "" or the error's first line)."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="timings-") as workdir:
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": workdir}})
        start = time.perf_counter()
        try:
            client.execute()
            error = ""
        except Exception as exc:  # report and go on with the other notebooks
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        return time.perf_counter() - start, error


def table(rows: list[tuple[str, float, str]]) -> str:
    seconds = [s for _, s, _ in rows]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    lines = [f"Seconds per notebook ({os.cpu_count()} cores, {platform.python_implementation()} "
             f"{platform.python_version()}, load average after the run {load}).", "",
             "| notebook | seconds | |", "| --- | ---: | --- |"]
    for name, s, error in rows:
        note = f"FAILED: {error}" if error else ("over budget" if s > BUDGET_S else "")
        lines.append(f"| {name} | {s:.1f} | {note} |")
    lines += [f"| **median** | {statistics.median(seconds):.1f} | |",
              f"| **max** | {max(seconds):.1f} | |",
              f"| **total** | {sum(seconds):.1f} | |"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or nbtools.toc_notebooks()
    if not paths:
        print("no notebooks to time", file=sys.stderr)
        return 1
    rows = []
    for path in paths:
        name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        seconds, error = run(path)
        print(f"{name}: {seconds:.1f} s{'  FAILED ' + error if error else ''}", file=sys.stderr)
        rows.append((name, seconds, error))
    report = table(rows)
    print(report)
    (ROOT / "timings.md").write_text(report)
    return 1 if any(error for _, _, error in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
