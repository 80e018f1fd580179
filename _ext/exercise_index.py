"""The exercise index: every exercise of the book, by chapter, kind and goal, read from the
notebooks when the book is built, so it cannot go stale.

A page holds the directive::

    ```{exercise-index}
    ```

and the build replaces it with one table per chapter: each exercise's title (its one-line goal,
linked to the exercise), its kind (the ``:class:`` of its ``{exercise}`` directive: implement,
predict, explain, debug or transfer, shown as a badge), and the section it sits in. The same
``:class:`` puts the badge on the exercise itself (``_static/exercise-kinds.css``).

:func:`collect` is what the build reads; tests/test_exercise_index.py checks it against the
notebooks. Registered in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import nbtools  # noqa: E402

KINDS = ("implement", "predict", "explain", "debug", "transfer")
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|~{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)",
                        re.M)
_OPTION = re.compile(r"^[ \t]*:(?P<name>[\w-]+):[ \t]*(?P<value>[^\n]*)$", re.M)


def toc_files() -> list[str]:
    """Every ``file:`` of ``_toc.yml``, root first, in reading order (``scripts/nbtools.py``)."""
    return nbtools.toc_entries()


def _title(cells: list[str]) -> str:
    for cell in cells:
        match = re.search(r"^# (.+)$", cell, re.M)
        if match:
            return match.group(1).strip()
    return ""


def collect(root: Path) -> list[dict]:
    """Every exercise of the notebooks of the toc, in reading order: ``{"docname", "chapter"
    (its folder), "page" (the notebook's title), "label", "title", "kind"}`` (kind "" if the
    directive names none of :data:`KINDS`)."""
    found = []
    for docname in toc_files():
        path = root / f"{docname}.ipynb"
        if not path.exists():
            continue
        cells = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                 if c["cell_type"] == "markdown"]
        for cell in cells:
            for match in _DIRECTIVE.finditer(cell):
                options = {m.group("name"): m.group("value").strip() for m in _OPTION.finditer(match.group("options"))}
                kinds = [k for k in options.get("class", "").split() if k in KINDS]
                found.append({"docname": docname, "chapter": Path(docname).parent.name, "page": _title(cells),
                              "label": options.get("label", ""), "title": match.group("title").strip(),
                              "kind": kinds[0] if kinds else ""})
    return found


def _chapter_titles(root: Path) -> dict[str, str]:
    titles = {}
    for docname in toc_files():
        path = root / f"{docname}.md"
        if path.name == "index.md" and path.exists():
            titles[path.parent.name] = _title([path.read_text(encoding="utf-8")])
    return titles


class ExerciseIndex(SphinxDirective):
    """The ``{exercise-index}`` directive: the tables of every exercise, from :func:`collect`."""

    def run(self):
        root = Path(self.env.srcdir)
        here = Path(self.env.docname).parent
        exercises, titles = collect(root), _chapter_titles(root)
        lines, chapter = [], None
        for exercise in exercises:
            if exercise["chapter"] != chapter:
                chapter = exercise["chapter"]
                index = Path("/") / Path(exercise["docname"]).parent / "index"
                lines += ["", f"## {titles.get(chapter, chapter)}", "",
                          f"From {{doc}}`{index}`.", "",
                          "| Exercise | Kind | Section |", "| --- | --- | --- |"]
            kind = exercise["kind"] or "unlabelled"
            badge = f'<span class="exercise-kind exercise-kind-{kind}">{kind}</span>'
            lines.append(f"| {{ref}}`{exercise['title']} <{exercise['label']}>` | {badge} | "
                         f"{{doc}}`{exercise['page']} </{exercise['docname']}>` |")
        container = nodes.container(classes=["exercise-index"])
        self.state.nested_parse(StringList(lines, source=str(here)), self.content_offset, container)
        for docname in {e["docname"] for e in exercises}:
            self.env.note_dependency(str(root / f"{docname}.ipynb"))
        return [container]


def setup(app):
    app.add_directive("exercise-index", ExerciseIndex)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
