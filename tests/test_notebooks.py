"""Notebook hygiene: what `scripts/nbtools.py fix` guarantees, and what the toc needs.

Every notebook under chapters/ is listed in _toc.yml and every toc entry exists; committed
notebooks carry no outputs; the first code cell is the Colab install cell generated from
_config.yml's repository.url, hidden in the book; each notebook has exactly one "# " title.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

CHAPTERS = ROOT / "chapters"


def all_notebooks() -> list[Path]:
    return sorted(p for p in CHAPTERS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


NOTEBOOKS = sorted(set(all_notebooks()) | set(nbtools.toc_notebooks()))
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def top_level_headings(nb: dict) -> list[str]:
    """The "# " headings of the markdown cells, ignoring fenced code (``` or ~~~)."""
    headings = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        fence = None
        for line in source(cell).splitlines():
            match = re.match(r"\s*(`{3,}|~{3,})", line)
            if match:
                marker = match.group(1)
                if fence is None:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence):
                    fence = None
                continue
            if fence is None and re.match(r"# \S", line):
                headings.append(line)
    return headings


def test_toc_lists_notebooks():
    assert nbtools.toc_notebooks(), "_toc.yml lists no notebooks"


def test_every_toc_entry_exists():
    missing = [entry for entry in nbtools.toc_entries() if nbtools.resolve(entry) is None]
    assert not missing, f"_toc.yml lists files that do not exist (.md or .ipynb): {missing}"


def test_no_orphan_notebooks():
    listed = set(nbtools.toc_notebooks())
    orphans = [p.relative_to(ROOT).as_posix() for p in all_notebooks() if p not in listed]
    assert not orphans, f"notebooks under chapters/ missing from _toc.yml: {orphans}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_install_cell_and_no_outputs(path):
    problems = nbtools.problems(path)
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems) + \
        " (fix: .venv/bin/python scripts/nbtools.py fix <notebook>)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_install_cell_is_hidden(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.relative_to(ROOT)} has no code cells"
    tags = code[0].get("metadata", {}).get("tags", [])
    assert nbtools.INSTALL_TAG in tags, \
        f"{path.relative_to(ROOT)}: the Colab install cell must be tagged {nbtools.INSTALL_TAG!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_title(path):
    headings = top_level_headings(load(path))
    assert len(headings) == 1, \
        f"{path.relative_to(ROOT)} must have exactly one top-level '# ' heading, found {headings}"


def test_heading_parser_ignores_fences():
    nb = {"cells": [{"cell_type": "markdown", "source": "# Title\n```python\n# a comment\n```\n## Part"},
                    {"cell_type": "code", "source": "# not markdown"}]}
    assert top_level_headings(nb) == ["# Title"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_solution_directives_open_and_close_in_turn(path):
    """sphinx-exercise's gated solutions must alternate solution-start, solution-end: a new
    exercise pasted inside an open solution breaks the whole build ("nested solution-start")."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sequence = [m.group(1) for cell in cells if cell["cell_type"] == "markdown"
                for m in re.finditer(r"\{solution-(start|end)\}", "".join(cell["source"]))]
    expected = ["start", "end"] * (len(sequence) // 2)
    assert sequence == expected, f"{path.name}: solution directives in the order {sequence}"


_TRIVIAL = re.compile(r"^(#.*|import .*|from .* import .*|return.*|assert check.*|check\(.*|[)\]}]+,?|pass|else:|.{0,12})$")


def _solutions_and_what_came_before(cells: list[dict]):
    """Per solution: its label, its exercise's kind (the directive's :class:), the non-trivial
    lines of its code, and every code line shown above it outside solutions (whitespace folded)."""
    fold = lambda line: re.sub(r"\s+", " ", line.strip())  # noqa: E731
    kinds, shown, current, found = {}, set(), None, []
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for label, kind in re.findall(r":label: (\S+)\n:class: (\w+)", text):
                kinds[label] = kind
            if (start := re.search(r"\{solution-start\} (\S+)", text)):
                current = (start.group(1), [])
            if "{solution-end}" in text and current:
                found.append((current[0], kinds.get(current[0]), current[1], set(shown)))
                current = None
            continue
        lines = [fold(line) for line in text.splitlines() if fold(line)]
        if current is None:
            shown.update(lines)
        else:
            current[1].extend(line for line in lines if not _TRIVIAL.match(line))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_solution_retypes_the_code_above_it(path):
    """A solution that is mostly lines shown earlier on its page asks the learner to copy, not to
    think. Debug exercises are exempt: their solution is the buggy code shown, mended."""
    for label, kind, lines, shown in _solutions_and_what_came_before(load(path)["cells"]):
        if kind == "debug" or not lines:
            continue
        repeated = [line for line in lines if line in shown]
        assert len(repeated) <= len(lines) / 2, f"{path.name}, {label}: {len(repeated)} of {len(lines)} lines " \
            f"stand above it already, e.g. {repeated[0]!r}"
