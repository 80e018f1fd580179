"""A pytest plugin: nbval's run of a notebook also yields the executed notebook for the book.

    PYTHONPATH=scripts pytest -p nbval_executed --nbval-lax --nbval-save-executed _build/nbval-executed ...

When every cell of a notebook passes, the notebook with nbval's outputs is written to
DIR/<path relative to the root>, stamped with the fingerprint of the package and the data and with
the seed shift. `nbtools.py prime-cache` then puts those whose code and fingerprint still match
into the book's execution cache, so `make test` executes each notebook once, not once for nbval
and again for the build.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

_outputs: dict[str, dict[int, list]] = {}
_failed: set[str] = set()


def pytest_addoption(parser):
    parser.addoption("--nbval-save-executed", metavar="DIR", default=None,
                     help="write each notebook whose cells all pass, with nbval's outputs, under DIR")


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell_num")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_cell(item) or not item.config.getoption("nbval_save_executed"):
        return
    report, key = outcome.get_result(), str(item.parent.path)
    if report.failed or report.skipped:
        _failed.add(key)
    elif call.when == "call":
        _outputs.setdefault(key, {})[item.cell_num] = copy.deepcopy(item.test_outputs or [])


def pytest_runtest_teardown(item, nextitem):
    directory = item.config.getoption("nbval_save_executed")
    if not directory or not _is_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    path, key = Path(item.parent.path), str(item.parent.path)
    outputs = _outputs.pop(key, {})
    code_cells = [c for c in item.parent.nb.cells if c.cell_type == "code"]
    if key in _failed or len(outputs) != len(code_cells):
        return
    nb = copy.deepcopy(item.parent.nb)
    for number, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.outputs, cell.execution_count = outputs[number], number + 1
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = number + 1
    nb.metadata["attnlab"] = nbtools.execution_stamp()
    nbformat.validate(nb)
    target = Path(directory) / path.resolve().relative_to(nbtools.ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
