"""The exercise index page (chapters/exercises.md, built by _ext/exercise_index.py) lists every
exercise of the book, each with a kind."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import exercise_index  # noqa: E402

EXERCISES = exercise_index.collect(ROOT)
NOTEBOOKS = [d for d in exercise_index.toc_files() if (ROOT / f"{d}.ipynb").exists()]


def _directives(docname):
    cells = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.findall(r"^`{3,}\{exercise\}", text, re.M)


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_index_lists_every_exercise_of_each_notebook(docname):
    listed = [e for e in EXERCISES if e["docname"] == docname]
    assert len(listed) == len(_directives(docname))
    assert len(listed) >= 2, f"{docname} has {len(listed)} exercises; every notebook needs 2 or more"


def test_every_exercise_names_its_kind_and_has_a_unique_label():
    unlabelled = [f"{e['docname']}: {e['title']}" for e in EXERCISES if e["kind"] not in exercise_index.KINDS]
    assert not unlabelled, f"add ':class: <kind>' (one of {exercise_index.KINDS}) to: {unlabelled}"
    labels = [e["label"] for e in EXERCISES]
    assert all(labels) and len(set(labels)) == len(labels)


def test_the_index_page_is_in_the_book_and_holds_the_directive():
    assert "chapters/exercises" in exercise_index.toc_files()
    assert "{exercise-index}" in (ROOT / "chapters/exercises.md").read_text(encoding="utf-8")
