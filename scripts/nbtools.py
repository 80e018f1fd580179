"""Notebook upkeep for maintainers: the Colab install cell and output stripping.

    python scripts/nbtools.py fix chapters/01-motivation/*.ipynb   # strip outputs, set the install cell
    python scripts/nbtools.py check chapters/**/*.ipynb             # report, change nothing

The repository URL stands in one place, `_config.yml`'s `repository.url`; the install cell is
generated from it, and tests/test_notebooks.py checks that every notebook agrees.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TAG = "remove-cell"
INSTALL_MARKER = "# Colab only:"


def repository_url() -> str:
    """`repository.url` from _config.yml (read without a YAML dependency)."""
    in_repository = False
    for line in (ROOT / "_config.yml").read_text().splitlines():
        if not line.startswith((" ", "\t")):
            in_repository = line.startswith("repository:")
        elif in_repository and line.strip().startswith("url:"):
            return line.split("url:", 1)[1].strip()
    raise ValueError("_config.yml has no repository.url")


def install_cell_source(url: str | None = None) -> str:
    url = url or repository_url()
    return f'''{INSTALL_MARKER} fetch the course and install its package. Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess
    REPO_URL = "{url}"
    subprocess.run(["git", "clone", "--depth", "1", REPO_URL, "/content/attention-course"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/attention-course/code"],
                   check=True)
    sys.path.insert(0, "/content/attention-course/code")'''


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    found = []
    cells = _code_cells(nb)
    if any(c.get("outputs") or c.get("execution_count") is not None for c in cells):
        found.append("has outputs or execution counts (run `python scripts/nbtools.py fix`)")
    if not cells or "".join(cells[0]["source"]) != install_cell_source():
        found.append("first code cell is not the Colab install cell for _config.yml's repository.url")
    elif INSTALL_TAG not in cells[0].get("metadata", {}).get("tags", []):
        found.append(f"the install cell lacks the tag {INSTALL_TAG!r}")
    return found


def fix(path: Path) -> None:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    cells = _code_cells(nb)
    install = {"cell_type": "code", "execution_count": None, "metadata": {"tags": [INSTALL_TAG]},
               "outputs": [], "source": install_cell_source()}
    if cells and INSTALL_MARKER in cells[0]["source"]:
        cells[0].update(source=install["source"])
        cells[0].setdefault("metadata", {})["tags"] = sorted(set(cells[0]["metadata"].get("tags", [])) | {INSTALL_TAG})
    else:
        first_code = nb["cells"].index(cells[0]) if cells else len(nb["cells"])
        nb["cells"].insert(first_code, install)
    nb["metadata"]["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb["metadata"]["language_info"] = {"name": "python"}
    nb["metadata"].pop("jupytext", None)
    import nbformat
    nbformat.validate(nbformat.from_dict(nb))
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("fix", "check"):
        print(__doc__)
        return 2
    status = 0
    for name in argv[1:]:
        path = Path(name)
        if argv[0] == "fix":
            fix(path)
        for problem in problems(path):
            print(f"{path}: {problem}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
