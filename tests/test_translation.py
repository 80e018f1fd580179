"""The Chinese edition (scripts/i18n.py) keeps up with the English book: every unit of prose of a
finished document is translated from today's English, keeps its markup, and zh/ is what the
translations generate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402

DOCUMENTS = [p.relative_to(ROOT).as_posix() for p in i18n.documents()]
FINISHED = [d for d in DOCUMENTS if d not in i18n.pending()]


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")[:70]


def test_a_finished_document_has_a_current_translation_of_every_unit():
    missing = [f"{document}, unit {i} ({_first_line(en)!r})" for document in FINISHED
               for i, (en, zh) in enumerate(i18n.translated(ROOT / document)) if zh is None]
    assert not missing, ("no translation of today's English for:\n" + "\n".join(missing)
                         + "\n`python scripts/i18n.py stale` shows the old and the new English")


def test_a_translation_keeps_the_markup_and_numbers_of_its_english():
    found = [f"{document}, unit {i}: {problem}" for document in DOCUMENTS
             for i, (en, zh) in enumerate(i18n.translated(ROOT / document))
             if zh is not None for problem in i18n.problems(en, zh)]
    assert not found, "\n".join(found)


def test_the_pending_list_names_only_unfinished_documents_of_the_book():
    unknown = [d for d in i18n.pending() if d not in DOCUMENTS]
    finished = [d for d in i18n.pending() if d in DOCUMENTS
                and all(zh is not None for _, zh in i18n.translated(ROOT / d))]
    assert not unknown, f"i18n/zh/pending.yml names documents the book does not have: {unknown}"
    assert not finished, f"translated in full: remove them from i18n/zh/pending.yml: {finished}"


def test_the_chinese_book_is_what_the_translations_generate():
    assert i18n.check() == 0, "zh/ is out of date: run `python scripts/i18n.py build`"


def test_a_chinese_notebook_has_the_english_code_cells_so_it_shares_their_outputs():
    for document in DOCUMENTS:
        if not document.endswith(".ipynb"):
            continue
        code = [[c["source"] for c in json.loads(p.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
                for p in (ROOT / document, i18n.BOOK / document)]
        assert code[0] == code[1], f"zh/{document} has other code cells than {document}"


def test_changing_one_english_sentence_makes_its_unit_stale_and_names_it(tmp_path, monkeypatch):
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title\n\nOne sentence."},
                          {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
                           "execution_count": None},
                          {"cell_type": "markdown", "metadata": {}, "source": "Another sentence."}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    document = tmp_path / "chapters" / "page.ipynb"
    document.parent.mkdir()
    document.write_text(json.dumps(notebook))
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path / "i18n")
    monkeypatch.setattr(i18n, "documents", lambda: [document])
    i18n.save_translations(document, [{"hash": i18n.unit_hash(t), "en": t, "zh": z} for t, z in
                                      [("# Title\n\nOne sentence.", "# 标题\n\n一句话。"),
                                       ("Another sentence.", "另一句话。")]])
    assert [zh for _, zh in i18n.translated(document)] == ["# 标题\n\n一句话。", "另一句话。"]
    assert i18n.stale_units() == []

    notebook["cells"][2]["source"] = "Another sentence, changed."
    document.write_text(json.dumps(notebook))
    assert [zh for _, zh in i18n.translated(document)] == ["# 标题\n\n一句话。", None]
    (stale,) = i18n.stale_units()
    assert (stale["document"], stale["unit"], stale["new"], stale["old"]) == (
        "chapters/page.ipynb", 1, "Another sentence, changed.", "Another sentence.")


@pytest.mark.parametrize("english, chinese, problem", [
    ("See {ref}`the task <ch2-task>`.", "见该任务。", "roles"),
    ("With $a+b$ here.", "这里是 a+b。", "formulas"),
    ("Call `f(x)` now.", "现在调用 f(x)。", "code spans"),
    ("At {glue:text}`accuracy:.2f` it stops.", "准确率为 0.75 时它停下。", "roles"),
    ("It reaches 75 percent.", "它达到 80%。", "numbers not in the English"),
    ("This sentence is not translated at all here.", "This sentence is not translated at all here.",
     "English left untranslated"),
    ("```{exercise} Implement: a step\n:label: ex-a\n:class: implement\n\nText here to do.\n```",
     "```{exercise} 实现：一步\n:label: ex-b\n:class: implement\n\n要做的事。\n```", "directive options"),
])
def test_the_markup_check_names_what_a_translation_lost(english, chinese, problem):
    assert any(p.startswith(problem) for p in i18n.problems(english, chinese)), i18n.problems(english, chinese)


def test_the_markup_check_accepts_a_faithful_translation():
    english = ("(ch2-x)=\n## The task\n\nThe {term}`self-attention` layer of {cite}`vaswani2017attention` "
               "reaches {glue:text}`accuracy:.2f` on $n$ tokens; see {ref}`ch2-y` and `attend()`.")
    chinese = ("(ch2-x)=\n## 任务\n\n{cite}`vaswani2017attention` 的{term}`自注意力 <self-attention>`层在 $n$ "
               "个词元上达到 {glue:text}`accuracy:.2f`；见 {ref}`ch2-y` 和 `attend()`。")
    assert i18n.problems(english, chinese) == []


def test_a_chinese_sentence_broken_across_lines_is_joined_but_not_a_heading_or_a_directive():
    # a browser draws a line break as a space, and Chinese puts no space between characters
    text = "# 标题\n正文的第一行\n第二行，\n  缩进的续行。然后\nLSTM 一词\n```{exercise} 实现：一步\n正文"
    assert i18n._join_chinese_lines(text) == (
        "# 标题\n正文的第一行第二行，缩进的续行。然后\nLSTM 一词\n```{exercise} 实现：一步\n正文")
