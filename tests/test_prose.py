"""The prose cannot drift from its outputs, and the pages read well.

- Every number a run produces reaches the prose through ``glue`` (attnlab.prose). A markdown
  cell of a notebook, or a page under chapters/, may hold a decimal number, a percentage, a
  power of ten or an "about N" only where it is glued, or where it is a fixed fact listed with
  its source in ``tests/prose_numbers_allowed.yml``.
- No control character (a tab included) in a markdown cell: ``"\\alpha"`` typed in a Python
  string arrives as a bell and "lpha".
- No code line over 88 characters: the site clips longer lines at its content width
  (``ruff format`` on a notebook does most of the work; strings and comments are split by hand).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
ALLOWED_FILE = ROOT / "tests" / "prose_numbers_allowed.yml"
MAX_LINE = 88

NOTEBOOKS = sorted(p for p in CHAPTERS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
PAGES = sorted(CHAPTERS.rglob("*.md"))
DOCUMENTS = NOTEBOOKS + PAGES


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def markdown_cells(path: Path) -> list[str]:
    """The markdown of a notebook, cell by cell, or of a page, as one cell."""
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


# What is not prose: code blocks (but the body of a MyST directive such as ```{exercise} is),
# inline code, glued values, the targets of roles and links, labels, directive options, comments.
_NOT_PROSE = [
    re.compile(r"^(\s*)(`{3,}|~{3,})(?!\s*\{)[^\n]*\n.*?^\1\2\s*$", re.S | re.M),  # code fences
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\{glue(?::\w+)?\}`[^`]*`"),
    re.compile(r"\{(?:ref|numref|cite|cite:\w+|doc|eq|download|label)\}`[^`]*`"),
    re.compile(r"`[^`\n]*`"),
    re.compile(r"\]\([^)\s]*\)"),
    re.compile(r"^\([\w-]+\)=\s*$", re.M),
    re.compile(r"^\s*:[\w-]+:.*$", re.M),
    re.compile(r"https?://\S+"),
]
# Section, exercise and figure numbers are names, not results: "section 7.3", "Exercise 2.4".
_NAMED = re.compile(r"\b(?:[Ss]ections?|[Cc]hapters?|[Ee]xercises?|[Ff]igures?|[Tt]ables?|"
                    r"[Ee]quations?|[Nn]otebooks?|[Ee]q\.|§)\s*\d+(?:\.\d+)+")
_FLAGGED = re.compile(
    r"(?P<approx>(?:\babout|\baround|\broughly|\bnearly|\balmost|\bapproximately|≈|\\approx|~)"
    r"\s*\$?\s*-?(?P<n1>\d[\d,]*(?:\.\d+)?(?:\s*(?:\\cdot|\\times|×)\s*10\^\{?-?\d+\}?)?))"
    r"|(?P<power>\d+(?:\.\d+)?\s*(?:\\cdot|\\times|×|x)\s*10\^\{?-?\d+\}?)"
    r"|(?P<percent>(?<![\w.])\d+(?:\.\d+)?\s?(?:%|\\%|\s?per ?cent\b))"
    r"|(?P<decimal>(?<![\w.])\d*\.\d+(?![\w.]))"
)


def prose(text: str) -> str:
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return _NAMED.sub(" ", text)


def flagged_numbers(text: str) -> list[str]:
    """The numbers of ``text``'s prose that must be glued or allow-listed, as written (an
    "about 8" as "8", a "62.5 %" as "62.5%")."""
    found = []
    for match in _FLAGGED.finditer(prose(text)):
        token = match.group("n1") or match.group(0)
        found.append(re.sub(r"\s+", "", token).replace("\\%", "%"))
    return found


def load_allowed() -> dict[str, dict[str, str]]:
    return yaml.safe_load(ALLOWED_FILE.read_text(encoding="utf-8")) or {}


ALLOWED = load_allowed()


# ---- the rule's own tests: what is flagged, and what is not --------------------------------

@pytest.mark.parametrize("text, expected", [
    ("accuracy 0.93 on average", ["0.93"]),
    ("right 62.5% of the time, or 75 %", ["62.5%", "75%"]),
    ("it sums to about 8 over a snippet", ["8"]),
    ("passes $0.5^{31} \\approx 5 \\cdot 10^{-10}$", ["0.5", "5\\cdot10^{-10}"]),
    ("section 7.3 and Exercise 2.4 are names", []),
    ("a glued {glue:text}`acc:.1%` and `lr=0.005` in code", []),
    ("see [the notes](../notes-map.md) and {cite}`bahdanau2015neural`", []),
    ("```python\nx = 0.5\n```\nno number", []),
    ("```{exercise} Title\n:label: ex-1\n\nIt is right 0.9 of the time.\n```", ["0.9"]),
    ("(ch2-task)=\n## Lengths 8, 16 and 32", []),
])
def test_flagged_numbers(text, expected):
    assert flagged_numbers(text) == expected


# ---- the rule, on every notebook and page ---------------------------------------------------

@pytest.mark.parametrize("path", DOCUMENTS, ids=[rel(p) for p in DOCUMENTS])
def test_numbers_in_prose_are_glued_or_allowed(path):
    allowed = ALLOWED.get(rel(path)) or {}
    typed = [(i, n) for i, cell in enumerate(markdown_cells(path)) for n in flagged_numbers(cell)]
    loose = [f"markdown cell {i}: {n}" for i, n in typed if n not in allowed]
    assert not loose, (
        f"{rel(path)} types numbers a run may produce: {loose}. Glue each one from the code "
        f"(attnlab.prose.glue, then {{glue:text}}`name:.2f` in the prose), or, if it is a fixed "
        f"fact (a paper's figure, a constant, a count fixed by the design), list it under "
        f"{rel(path)} in {rel(ALLOWED_FILE)} with its source.")


def test_allow_list_is_current_and_sourced():
    problems = []
    for document, numbers in ALLOWED.items():
        path = ROOT / document
        if not path.is_file():
            problems.append(f"{document} does not exist")
            continue
        used = {n for cell in markdown_cells(path) for n in flagged_numbers(cell)}
        for number, source in (numbers or {}).items():
            if not isinstance(source, str) or len(source.split()) < 2:
                problems.append(f"{document}: {number!r} needs its source, in words")
            if str(number) not in used:
                problems.append(f"{document}: {number!r} no longer appears in the prose; remove it")
    assert not problems, f"{rel(ALLOWED_FILE)}: " + "; ".join(problems)


# MyST-NB splits a glue role's text at its last ":" into key and format, so a value pasted from
# another notebook (`other.ipynb::key`) needs a format, or "other.ipynb:" becomes the key.
_CROSS_GLUE = re.compile(r"\{glue(?::\w+)?\}`(?P<target>[^`]*::[^`]*)`")


@pytest.mark.parametrize("path", DOCUMENTS, ids=[rel(p) for p in DOCUMENTS])
def test_values_glued_from_another_notebook_have_a_format(path):
    bare = [m.group("target") for cell in markdown_cells(path) for m in _CROSS_GLUE.finditer(cell)
            if ":" not in m.group("target").split("::", 1)[1]]
    assert not bare, (f"{rel(path)} pastes {bare} without a format; write e.g. `nb.ipynb::key:d` "
                      f"for an int, `:s` for a string, `:.2f` for a float")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|\t")


@pytest.mark.parametrize("path", DOCUMENTS, ids=[rel(p) for p in DOCUMENTS])
def test_no_control_characters_in_prose(path):
    bad = [f"markdown cell {i}: {cell[max(m.start() - 20, 0):m.end() + 20]!r}"
           for i, cell in enumerate(markdown_cells(path)) for m in _CONTROL.finditer(cell)]
    assert not bad, (f"{rel(path)} has control characters in its prose (a '\\a' or '\\t' typed in "
                     f"a Python string?): {bad}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[rel(p) for p in NOTEBOOKS])
def test_code_lines_fit_the_page(path):
    long = [f"code cell {i}, line {j + 1} ({len(line)} characters)"
            for i, cell in enumerate(code_cells(path)) for j, line in enumerate(cell.splitlines())
            if len(line) > MAX_LINE]
    assert not long, (f"{rel(path)} has code lines over {MAX_LINE} characters, which the site "
                      f"clips: {long[:10]}{' ...' if len(long) > 10 else ''}. Run "
                      f"`.venv/bin/ruff format {rel(path)}`, then split strings and comments.")


# ---- glue: ours stores what MyST-NB's stores ----------------------------------------------

def test_glue_matches_myst_nb(monkeypatch):
    import IPython.display
    import myst_nb
    import myst_nb.ext.glue
    import torch

    from attnlab import prose

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", lambda *a, **k: shown.append((a, k)))
    prose.glue("accuracy", torch.tensor(0.875))
    myst_nb.glue("accuracy", 0.875, display=False)
    assert shown[0] == shown[1]


def test_glued_words_have_a_chinese_twin_for_the_chinese_edition(monkeypatch):
    import IPython.display

    from attnlab import prose

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    prose.glue("verdict", "less", zh="更少")
    stored = {k["metadata"]["scrapbook"]["name"]: a[0] for a, k in shown}
    assert stored == {"verdict": {prose.GLUE_PREFIX + "text/plain": "'less'"},
                      "verdict_zh": {prose.GLUE_PREFIX + "text/plain": "'更少'"}}
    with pytest.raises(TypeError, match="zh is the Chinese of a glued text"):
        prose.glue("accuracy", 0.5, zh="一半")


@pytest.mark.parametrize("value, expected", [(3, 3), (0.5, 0.5), ("ph", "ph")])
def test_plain_values(value, expected):
    import numpy as np
    import torch

    from attnlab.prose import plain

    for wrapped in (value, np.array(value) if not isinstance(value, str) else value,
                    torch.tensor(value) if not isinstance(value, str) else value):
        result = plain(wrapped)
        assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value, error", [(float("nan"), ValueError), ([1, 2], TypeError),
                                          (None, TypeError)])
def test_glue_refuses_what_cannot_be_printed(value, error):
    from attnlab.prose import plain

    with pytest.raises(error):
        plain(value)


def test_glue_refuses_a_tensor_of_several_numbers():
    import torch

    from attnlab.prose import plain

    with pytest.raises(ValueError, match="shape"):
        plain(torch.ones(2))
