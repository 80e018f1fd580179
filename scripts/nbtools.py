"""Notebook upkeep for maintainers: the Colab install cell and output stripping.

    python scripts/nbtools.py fix chapters/01-motivation/*.ipynb   # strip outputs, set the install cell
    python scripts/nbtools.py check chapters/**/*.ipynb             # report, change nothing
    python scripts/nbtools.py list                                  # the toc's notebooks, in toc order
    python scripts/nbtools.py prime-cache [--jobs 2]                # execute for the book, in parallel

The book's execution cache (_build/.jupyter_cache) is keyed by each notebook's code; prime-cache
adds the package and the data: when code/attnlab or data/ changed, it empties the cache, so no
stale figure is published. Notebooks that nbval has just run (scripts/nbval_executed.py) enter the
cache as they are, so `make test` executes each notebook once.

The repository URL stands in one place, `_config.yml`'s `repository.url`; the install cell is
generated from it, and tests/test_notebooks.py checks that every notebook agrees.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TAG = "remove-cell"
INSTALL_MARKER = "# Colab only:"
INSTALL_CELL_ID = "colab-install"


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
    return f'''{INSTALL_MARKER} fetch the course, install its package. Elsewhere: nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    REPO_URL = "{url}"
    COURSE = "/content/attention-course"
    subprocess.run(["git", "clone", "--depth", "1", REPO_URL, COURSE], check=True)
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "-e", f"{{COURSE}}/code"], check=True)
    nodeps = f"{{COURSE}}/requirements-nodeps.txt"
    subprocess.run([*pip, "--no-deps", "-r", nodeps], check=True)
    sys.path.insert(0, f"{{COURSE}}/code")'''


def fingerprint() -> str:
    """A hash of everything a notebook's results depend on besides its own code: the package
    (code/attnlab) and the data (data/)."""
    digest = hashlib.sha256()
    for folder in (ROOT / "code" / "attnlab", ROOT / "data"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def execution_stamp() -> dict:
    """What an executed notebook records of the run: the fingerprint and the seed shift."""
    return {"fingerprint": fingerprint(), "seed_shift": os.environ.get("ATTNLAB_SEED", "").strip() or "0"}


def toc_entries() -> list[str]:
    """Every `file:` of _toc.yml (root first), in reading order, as written (no suffix)."""
    import yaml

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                yield str(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    yield from walk(child)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [str(toc["root"])] + list(walk(toc))


def resolve(entry: str) -> Path | None:
    """The source file of a toc entry (.ipynb or .md), or None if there is none."""
    for suffix in ("", ".ipynb", ".md"):
        path = ROOT / f"{entry}{suffix}"
        if path.is_file() and path.suffix in (".ipynb", ".md"):
            return path
    return None


def toc_notebooks() -> list[Path]:
    """The notebooks listed in _toc.yml, in toc order (absolute paths)."""
    paths = [resolve(entry) for entry in toc_entries()]
    return [p for p in paths if p is not None and p.suffix == ".ipynb"]


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
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    for index, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{index}")
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    cells = _code_cells(nb)
    install = {"cell_type": "code", "execution_count": None, "id": INSTALL_CELL_ID, "metadata": {"tags": [INSTALL_TAG]},
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


def list_notebooks() -> int:
    """Print the toc's notebooks, one a line, relative to the root; fail if the toc is broken."""
    missing = [entry for entry in toc_entries() if resolve(entry) is None]
    if missing:
        print("_toc.yml lists files that do not exist: " + ", ".join(missing), file=sys.stderr)
        return 1
    notebooks = toc_notebooks()
    if not notebooks:
        print("_toc.yml lists no notebooks", file=sys.stderr)
        return 1
    for path in notebooks:
        print(path.relative_to(ROOT).as_posix())
    return 0


def _code(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _execute_for_cache(path: Path, timeout: int) -> tuple[Path, str, float, str]:
    """Run one notebook as the book's build would (its own folder as working directory)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    return path, nbformat.writes(result.nb), result.time, result.exc_string or ""


def prime_cache(jobs: int) -> int:
    """Fill the book's execution cache (_build/.jupyter_cache), `jobs` notebooks at a time.

    The build (execute_notebooks: cache) executes notebooks one after another; executed here in
    parallel first, it finds them all cached. Only notebooks whose code changed are run.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import nbformat
    import yaml
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    timeout = int(config.get("execute", {}).get("timeout", 30))
    cache_dir = ROOT / "_build" / ".jupyter_cache"
    cache = get_cache(str(cache_dir))
    stamp, stamp_file = execution_stamp(), cache_dir / "attnlab-stamp.json"
    if stamp["seed_shift"] != "0":
        print("prime-cache: ATTNLAB_SEED is set; the book is built from the written seeds only, "
              "so unset it", file=sys.stderr)
        return 1
    if stamp_file.exists() and json.loads(stamp_file.read_text()) != stamp:
        print("prime-cache: code/attnlab or data/ changed since the cache was filled: emptying it")
        cache.clear_cache()
        cache = get_cache(str(cache_dir))
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(json.dumps(stamp))

    def store(path: Path, nb, seconds: float) -> None:
        record = cache.add_nb_to_project(str(path))
        cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)

    todo, reused = [], 0
    for path in toc_notebooks():
        source = nbformat.read(path, as_version=4)
        try:
            cache.match_cache_notebook(source)
            continue
        except KeyError:
            pass
        executed = ROOT / "_build" / "nbval-executed" / path.relative_to(ROOT)
        if executed.exists():
            nb = nbformat.read(executed, as_version=4)
            if nb.metadata.get("attnlab") == stamp and _code(nb) == _code(source):
                store(path, nb, 0.0)
                reused += 1
                continue
        todo.append(path)
    if reused:
        print(f"prime-cache: {reused} notebooks taken as nbval executed them")
    print(f"prime-cache: {len(todo)} of {len(toc_notebooks())} notebooks to execute, {jobs} at a time")
    failed = []
    spawn = multiprocessing.get_context("spawn")  # workers share nothing with the cache's database
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=spawn) as pool:
        for path, text, seconds, error in pool.map(_execute_for_cache, todo, [timeout] * len(todo)):
            name = path.relative_to(ROOT).as_posix()
            if error:
                failed.append(name)
                print(f"prime-cache: {name} FAILED after {seconds:.1f} s\n{error}", file=sys.stderr)
                continue
            store(path, nbformat.reads(text, as_version=4), seconds)
            print(f"prime-cache: {name} {seconds:.1f} s")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if argv == ["list"]:
        return list_notebooks()
    if argv[:1] == ["prime-cache"]:
        jobs = int(argv[2]) if argv[1:2] == ["--jobs"] and len(argv) > 2 else 2
        return prime_cache(jobs)
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
