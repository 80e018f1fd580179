"""The Chinese edition (中文版): translations of the prose, and the book generated from them.

    python scripts/i18n.py sync      # add a slot for every English cell that has none yet
    python scripts/i18n.py stale     # every cell whose translation is missing or out of date,
                                     # with the old and the new English, for the translator
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
EXTRA_PAGES = ()  # pages outside the toc that the Chinese book needs (none yet)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


# ---- units of English prose ----------------------------------------------------------------

def documents() -> list[Path]:
    """Every document of the English book, in toc order (notebooks and pages)."""
    return [nbtools.resolve(entry) for entry in nbtools.toc_entries()]


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
    pass


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


def translated(path: Path) -> list[tuple[str, str | None]]:
    """Each English unit of ``path`` with its current translation, or None if it has none."""
    by_hash = {e["hash"]: e.get("zh") for e in load_translations(path)}
    return [(text, by_hash.get(unit_hash(text)) or None) for text in units(path)]


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


# ---- the Chinese book ----------------------------------------------------------------------

def _zh_notebook(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    pairs = iter(translated(path))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            english, chinese = next(pairs)
            cell["source"] = chinese if chinese else english
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _zh_page(path: Path) -> str:
    return "".join(chinese if chinese else english for english, chinese in translated(path))


def _zh_config() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overrides = yaml.safe_load((TRANSLATIONS / "_config.yml").read_text(encoding="utf-8"))
    config.update({k: v for k, v in overrides.items() if k != "sphinx"})
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {}).update(overrides.get("sphinx", {}).get("config", {}))
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
    parser.add_argument("command", choices=["sync", "stale", "build", "check"])
    return {"sync": sync, "stale": stale, "build": build, "check": check}[parser.parse_args(argv).command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
