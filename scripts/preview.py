"""Read a notebook as the book will print it, without building the book.

    python scripts/preview.py chapters/02-long-range/long-range-task.ipynb
    ATTNLAB_SEED=3 python scripts/preview.py chapters/...ipynb      # on another draw

Executes the notebook in a fresh kernel in its own folder (as the build does), then writes
``_build/preview/<notebook>/page.md``: the markdown with every ``{glue:text}`` role replaced by
the value the run glued (formatted as the book formats it), each code cell's source, and its
printed output; each figure is saved beside it as ``figure-<cell>-<n>.png``. A role whose name
was never glued is left in place and reported. The seconds the run took are printed.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLUE_PREFIX = "application/papermill.record/"
ROLE = re.compile(r"\{glue(?::text)?\}`(?P<key>[^`:]+?)(?::(?P<fmt>[^`:]*))?`")


def glued_values(nb) -> dict[str, str]:
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get(GLUE_PREFIX + "text/plain")
            if name and text is not None:
                values[name] = text
    return values


def paste(markdown: str, values: dict[str, str], missing: set[str]) -> str:
    from myst_nb.core.variables import format_plain_text

    def replace(match):
        key, fmt = match.group("key"), match.group("fmt") or ""
        if "::" in key or key not in values:
            missing.add(key)
            return match.group(0)
        return format_plain_text(values[key], fmt)

    return ROLE.sub(replace, markdown)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    import nbformat
    from nbclient import NotebookClient

    path = args.notebook.resolve()
    nb = nbformat.read(path, as_version=4)
    out = ROOT / "_build" / "preview" / path.stem
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("figure-*.png"):
        old.unlink()
    start = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as exc:  # keep what ran, and say where it stopped
        error = exc
    seconds = time.perf_counter() - start
    values, missing, lines = glued_values(nb), set(), []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            lines += [paste(cell.source, values, missing), ""]
            continue
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        lines += [f"```python  # code cell {index}", cell.source, "```"]
        figures = 0
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") == "stream":
                lines += ["```text", output["text"].rstrip(), "```"]
            elif output.get("output_type") == "error":
                lines += ["```text", f"{output['ename']}: {output['evalue']}", "```"]
            elif "image/png" in data:
                figures += 1
                name = f"figure-{index}-{figures}.png"
                (out / name).write_bytes(base64.b64decode(data["image/png"]))
                lines.append(f"[{name}]")
            elif "text/plain" in data:
                lines += ["```text", data["text/plain"].rstrip(), "```"]
        lines.append("")
    (out / "page.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {seconds:.1f} s; page and figures in {out.relative_to(ROOT)}")
    if missing:
        print(f"glue roles with no value: {sorted(missing)}", file=sys.stderr)
    if error is not None:
        print(f"the run stopped: {type(error).__name__}: {str(error)[-1500:]}", file=sys.stderr)
        return 1
    return 1 if missing - {k for k in missing if "::" in k} else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
