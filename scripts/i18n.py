"""The Chinese edition (中文版): translations of the prose, and the book generated from them.

    python scripts/i18n.py sync      # add a slot for every English cell that has none yet
    python scripts/i18n.py stale     # every cell whose translation is missing or out of date,
                                     # with the old and the new English, for the translator
    python scripts/i18n.py lint [PATH...]  # every translated unit keeps the English markup
    python scripts/i18n.py build     # write the Chinese book under zh/ (notebooks and pages)
    python scripts/i18n.py check     # fail if zh/ is not what `build` would write

The English book is the source. Its prose is cut into units: each markdown cell of a notebook,
and each section (from one heading to the next) of a page. The translation of a document lives
in one file, ``i18n/zh/<path of the document>.yml``: one entry per unit, in order, holding the
hash of the English it translates (``hash``), that English (``en``, so a translator sees what
changed) and the Chinese (``zh``; empty until translated). A unit whose English changed has no
entry with its hash: it is stale, and tests/test_translation.py fails naming it.

``build`` writes ``zh/``, a Jupyter Book of its own: every notebook with the same code cells (so
the execution cache, keyed by code, gives the Chinese pages the English outputs without running
anything again) and the markdown cells replaced by their translations; every page likewise;
``zh/_config.yml`` and ``zh/_toc.yml`` derived from the English ones. ``make book`` builds it into
``_build/html/zh/``. The generated files are committed, so that Colab can open the Chinese
notebooks from the repository; ``check`` (run by the tests) keeps them in step.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

ROOT = nbtools.ROOT
LANGUAGE = "zh"
TRANSLATIONS = ROOT / "i18n" / LANGUAGE
BOOK = ROOT / LANGUAGE
PENDING = TRANSLATIONS / "pending.yml"   # the documents whose translation is not finished
# Above the text of a page whose translation is not finished, and on the Chinese home page
PENDING_NOTE = "```{note}\n本页的中文翻译尚未完成：没有译文的段落暂以英文原文显示。\n```\n"
HOME_NOTE = ("```{note}\n这是课程的中文版，由英文版的同一批笔记本生成：代码、输出和图完全相同，"
             "只有正文是译文。练习检查器（`attnlab.exercises.check`）的反馈信息保持英文。"
             "每页右上角的链接通往英文版的同一页。\n```\n")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


# ---- units of English prose ----------------------------------------------------------------

def documents() -> list[Path]:
    """Every document of the English book, in toc order (notebooks and pages)."""
    return [nbtools.resolve(entry) for entry in nbtools.toc_entries()]


def pending() -> list[str]:
    """The documents (paths from the root) whose translation is not finished: listed in
    ``i18n/zh/pending.yml`` until the last of their units is translated."""
    if not PENDING.exists():
        return []
    return list(yaml.safe_load(PENDING.read_text(encoding="utf-8")) or [])


def _page_sections(text: str) -> list[str]:
    """A page cut before each heading outside a fence; joined, the sections are the page."""
    sections, current, fence = [], [], None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):]:
                fence = None
        if fence is None and line.startswith("#") and current and not match:
            sections.append("".join(current))
            current = []
        current.append(line)
    if current:
        sections.append("".join(current))
    return sections


def units(path: Path) -> list[str]:
    """The English prose of ``path``: its markdown cells, or its sections."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return _page_sections(path.read_text(encoding="utf-8"))


def unit_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# ---- translation files ---------------------------------------------------------------------

def translation_file(path: Path) -> Path:
    return TRANSLATIONS / (path.relative_to(ROOT).as_posix() + ".yml")


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):      # a repeated unit is written out again, not as *id001
        return True


def _text(dumper, value):
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.splitlines()) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def load_translations(path: Path) -> list[dict]:
    file = translation_file(path)
    if not file.exists():
        return []
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return data.get("units", [])


def save_translations(path: Path, entries: list[dict]) -> None:
    file = translation_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    data = {"source": path.relative_to(ROOT).as_posix(), "units": entries}
    file.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000),
                    encoding="utf-8")


# A line break between two Chinese characters (or Chinese punctuation) inside a paragraph: a
# browser draws it as a space, which Chinese text does not have, so the book joins the lines.
_CJK_TEXT = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’…—"
_CJK_END, _CJK_START = re.compile(f"[{_CJK_TEXT}]$"), re.compile(f"^[ \t]*[{_CJK_TEXT}]")


def _join_chinese_lines(text: str) -> str:
    """``text`` with each line that continues a Chinese sentence joined to the line before
    (not after a heading, a directive's first line or a table row)."""
    lines = text.split("\n")
    joined = [lines[0]]
    for line in lines[1:]:
        before = joined[-1]
        if _CJK_END.search(before) and _CJK_START.match(line) and not before.lstrip().startswith(("#", "`", "~", ":", "|")):
            joined[-1] = before + line.lstrip()
        else:
            joined.append(line)
    return "\n".join(joined)


def translated(path: Path) -> list[tuple[str, str | None]]:
    """Each English unit of ``path`` with its current translation, or None if it has none."""
    by_hash = {e["hash"]: e.get("zh") for e in load_translations(path)}
    pairs = []
    for text in units(path):
        chinese = by_hash.get(unit_hash(text)) or None
        if chinese is not None:   # end as the English ends, whatever the YAML block style kept
            chinese = _join_chinese_lines(chinese.rstrip("\n")) + text[len(text.rstrip("\n")):]
        pairs.append((text, chinese))
    return pairs


def sync() -> int:
    """Give every English unit an entry (kept translations stay; stale ones are kept at the end,
    marked, until a translator has used them)."""
    added = 0
    for path in documents():
        entries = load_translations(path)
        by_hash = {e["hash"]: e for e in entries}
        current = [by_hash.get(unit_hash(t)) or {"hash": unit_hash(t), "en": t, "zh": ""} for t in units(path)]
        added += sum(1 for e in current if e["hash"] not in by_hash)
        used = {e["hash"] for e in current}
        old = [dict(e, stale=True) for e in entries if e["hash"] not in used and e.get("zh")]
        save_translations(path, current + old)
    print(f"{added} new units")
    return 0


def stale_units() -> list[dict]:
    """Every unit without a current translation: where it is, its English now, and the English
    of the old translation it most resembles (None if there is none)."""
    found = []
    for path in documents():
        entries = load_translations(path)
        known = {e["hash"] for e in entries if e.get("zh")}
        orphans = [e for e in entries if e.get("stale") or e["hash"] not in {unit_hash(t) for t in units(path)}]
        for index, text in enumerate(units(path)):
            if unit_hash(text) in known:
                continue
            close = max(orphans, key=lambda e: difflib.SequenceMatcher(None, e["en"], text).ratio(), default=None)
            found.append({"document": path.relative_to(ROOT).as_posix(), "unit": index, "new": text,
                          "old": close["en"] if close and close.get("zh") else None})
    return found


def stale() -> int:
    found = stale_units()
    for item in found:
        print(f"==== {item['document']}, unit {item['unit']}")
        if item["old"] is None:
            print("(no translation yet)\n" + item["new"])
        else:
            diff = difflib.unified_diff(item["old"].splitlines(), item["new"].splitlines(), "old English",
                                        "new English", lineterm="")
            print("\n".join(diff))
    print(f"{len(found)} units to translate")
    return 1 if found else 0


# ---- what a translation must keep ----------------------------------------------------------

_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
_MATH = re.compile(r"\$\$.+?\$\$|\$(?:[^$\n]|\n(?![ \t]*\n))+?\$", re.S)   # inline math may wrap, not span paragraphs
_CODE = re.compile(r"(?<!`)(`+)(?!\{)([^`].*?)(?<!`)\1(?!`)", re.S)
_DIRECTIVE = re.compile(r"^[ \t]*(?:`{3,}|:{3,}|~{3,})\{[\w-]+\}", re.M)
_OPTION = re.compile(r"^[ \t]*:(?:label|class|name|nosearch|hidden|tags|filename):[^\n]*$", re.M)
_LABEL = re.compile(r"^\([\w-]+\)=[ \t]*$", re.M)
_URL = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){5,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _role_targets(text: str) -> list[str]:
    """Each role as it must survive translation: glue, cite and doc whole; the target of ref and
    term (the link text in front of ``<...>`` may be translated)."""
    kept = []
    for match in _ROLE.finditer(text):
        role, body = match["role"], match["body"]
        if role in ("ref", "term", "numref", "eq", "doc") and body.rstrip().endswith(">") and "<" in body:
            body = body[body.rindex("<") + 1:-1]
        if role.startswith("glue"):       # the Chinese may cite a glued text's Chinese twin, name_zh
            body = re.sub(r"_zh(?=:[^:]*$|$)", "", body)
        kept.append(f"{{{role}}}{body}")
    return sorted(kept)


def _headings(text: str) -> list[int]:
    return [len(line) - len(line.lstrip("#")) for line in _outside_fences(text).splitlines()
            if re.match(r"#{1,6} ", line)]


def _fenced(text: str) -> list[tuple[str, str | None]]:
    """Each line of ``text`` with the plain code block it belongs to (an id), or None outside
    one. A directive's fence (```{name}) is not a code block, but its closing ``` must not open
    one either: the fences are matched as a stack."""
    lines, stack, block = [], [], 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        rest = line.strip()[len(match.group(1)):] if match else ""
        inside = stack and not stack[-1][1]                     # in a plain code block
        if match and stack and match.group(1)[0] == stack[-1][0][0] and len(match.group(1)) >= len(stack[-1][0]) \
                and not rest.strip():
            marker, directive = stack.pop()
            lines.append((line, None if directive else f"block {block}"))
            continue
        if match and not inside:
            directive = rest.startswith("{")
            stack.append((match.group(1), directive))
            if not directive:
                block += 1
            lines.append((line, None if directive else f"block {block}"))
            continue
        lines.append((line, f"block {block}" if inside else None))
    return lines


def _outside_fences(text: str) -> str:
    """``text`` without its plain code blocks (directive fences and their bodies stay)."""
    return "".join(line for line, block in _fenced(text) if block is None)


def _code_blocks(text: str) -> list[str]:
    blocks: dict[str, str] = {}
    for line, block in _fenced(text):
        if block is not None:
            blocks[block] = blocks.get(block, "") + line
    return list(blocks.values())


def _prose(text: str) -> str:
    """What is left to translate: no code blocks, roles, math, code spans, links' targets, labels
    or directive options."""
    text = _outside_fences(text)
    text = re.sub(r"^([ \t]*(?:`{3,}|:{3,}|~{3,})\{[\w-]+\})[ \t]*[\w-]+[ \t]*$", r"\1", text, flags=re.M)  # a label
    for pattern in (_ROLE, _MATH, _CODE, _OPTION, _LABEL, _DIRECTIVE, _URL):
        text = pattern.sub(" ", text)
    return re.sub(r"<[^>]+>", " ", text)


def problems(english: str, chinese: str) -> list[str]:
    """Why ``chinese`` is not a faithful translation of the markup of ``english`` (empty if it is):
    every role target, formula, code span and block, directive, option, label, link target and
    heading level kept; no number that the English does not have; and Chinese prose, with no
    English sentence left (six English words in a row; names and titles are shorter)."""
    found = []
    checks = {
        "roles ({glue}, {cite}, {ref} targets...)": _role_targets,
        "formulas ($...$)": lambda t: sorted(_MATH.findall(_outside_fences(t))),
        "code spans": lambda t: sorted(m.group(0) for m in _CODE.finditer(_MATH.sub(" ", _ROLE.sub(" ", _outside_fences(t))))),
        "code blocks": _code_blocks,
        "directives": lambda t: [m.strip() for m in _DIRECTIVE.findall(t)],
        "directive options (:label:, :class:...)": lambda t: sorted(m.strip() for m in _OPTION.findall(t)),
        "labels ((name)=)": lambda t: sorted(_LABEL.findall(t)),
        "link targets": lambda t: sorted(a or b for a, b in _URL.findall(t)),
        "heading levels": _headings,
    }
    for what, extract in checks.items():
        want, got = extract(english), extract(chinese)
        if want != got:
            missing = [x for x in want if x not in got][:3]
            extra = [x for x in got if x not in want][:3]
            found.append(f"{what} differ: missing {missing}, unexpected {extra}")
    extra_numbers = set(_NUMBER.findall(_prose(chinese))) - set(_NUMBER.findall(_prose(english)))
    if extra_numbers:
        found.append(f"numbers not in the English: {sorted(extra_numbers)}")
    if _WORDS.search(_prose(english)) or len(re.findall(r"[A-Za-z]+", _prose(english))) >= 3:
        if not _CJK.search(chinese):
            found.append("no Chinese in the translation")
    left = _WORDS.search(_prose(chinese))
    if left:
        found.append(f"English left untranslated: {left.group(0)[:60]!r}")
    return found


def lint(paths: list[str]) -> int:
    """Every translated unit of ``paths`` (default: all documents) checked by :func:`problems`."""
    count = 0
    targets = [ROOT / p for p in paths] if paths else documents()
    for path in targets:
        for index, (english, chinese) in enumerate(translated(path)):
            if chinese is None:
                continue
            for problem in problems(english, chinese):
                count += 1
                print(f"{path.relative_to(ROOT).as_posix()}, unit {index}: {problem}")
    print(f"{count} problems")
    return 1 if count else 0


# ---- the Chinese book ----------------------------------------------------------------------

def _note(path: Path) -> str:
    """What the Chinese page says after its first unit (its title): nothing, or a note."""
    if path.relative_to(ROOT).as_posix() in pending():
        return PENDING_NOTE
    if path == documents()[0]:
        return HOME_NOTE
    return ""


def _zh_notebook(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    pairs, cells = iter(translated(path)), []
    for cell in nb["cells"]:
        cells.append(cell)
        if cell["cell_type"] == "markdown":
            english, chinese = next(pairs)
            cell["source"] = chinese if chinese else english
            if len([c for c in cells if c["cell_type"] == "markdown"]) == 1 and _note(path):
                cells.append({"cell_type": "markdown", "id": f"zh-note-{unit_hash(path.name)}", "metadata": {},
                              "source": _note(path).rstrip("\n")})
    nb["cells"] = cells
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _zh_page(path: Path) -> str:
    parts = [chinese if chinese else english for english, chinese in translated(path)]
    if _note(path):
        parts.insert(1, ("" if parts[0].endswith("\n\n") else "\n") + _note(path) + "\n")
    return "".join(parts)


def _zh_config() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overrides = yaml.safe_load((TRANSLATIONS / "_config.yml").read_text(encoding="utf-8"))
    config.update({k: v for k, v in overrides.items() if k != "sphinx"})
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {}).update(overrides.get("sphinx", {}).get("config", {}))
    # The English book's _static (styles, the head view's script), served from where it is: Jupyter
    # Book adds a book's own _static folder and its files by itself, the Chinese book has none.
    static = ROOT / "_static"
    sphinx["config"].update({
        "html_static_path": ["../_static"],
        "html_css_files": sorted(p.relative_to(static).as_posix() for p in static.rglob("*.css")),
        "html_js_files": sorted(p.relative_to(static).as_posix() for p in static.rglob("*.js"))})
    sphinx["local_extensions"] = {name: "../_ext" for name in sphinx.get("local_extensions", {})}
    config["bibtex_bibfiles"] = [f"../{f}" for f in config.get("bibtex_bibfiles", [])]
    config["repository"]["path_to_book"] = LANGUAGE
    config["html"]["favicon"] = "../" + config["html"]["favicon"]
    config["execute"]["cache"] = "_build/.jupyter_cache"   # the English book's cache, from the root
    header = ("# Generated by scripts/i18n.py from ../_config.yml and i18n/zh/_config.yml: do not edit.\n"
              "# Build from the repository's root (make book): the execution cache path is relative to it.\n")
    return header + yaml.dump(config, allow_unicode=True, sort_keys=False)


def generated() -> dict[Path, str]:
    """Every file of ``zh/``, as ``build`` writes it."""
    files = {BOOK / "_config.yml": _zh_config(),
             BOOK / "_toc.yml": "# Generated by scripts/i18n.py from ../_toc.yml: do not edit.\n"
                                + (ROOT / "_toc.yml").read_text(encoding="utf-8")}
    for path in documents():
        target = BOOK / path.relative_to(ROOT)
        files[target] = _zh_notebook(path) if path.suffix == ".ipynb" else _zh_page(path)
    return files


def build() -> int:
    files = generated()
    for old in BOOK.rglob("*"):
        if old.is_file() and old not in files:
            old.unlink()
    for folder in sorted((p for p in BOOK.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    for target, text in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    print(f"zh/: {len(files)} files")
    return 0


def check() -> int:
    files = generated()
    wrong = [t.relative_to(ROOT).as_posix() for t, text in files.items()
             if not t.exists() or t.read_text(encoding="utf-8") != text]
    extra = [p.relative_to(ROOT).as_posix() for p in BOOK.rglob("*") if p.is_file() and p not in files]
    if wrong or extra:
        print(f"zh/ is out of date (run `python scripts/i18n.py build`): {wrong + extra}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["sync", "stale", "lint", "build", "check"])
    parser.add_argument("paths", nargs="*", help="lint: the documents to check (default: all)")
    args = parser.parse_args(argv)
    if args.command == "lint":
        return lint(args.paths)
    return {"sync": sync, "stale": stale, "build": build, "check": check}[args.command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
