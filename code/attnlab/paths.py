"""Where the course's committed data files live.

The package is installed editable (``pip install -e code``) both locally and in Colab, so the
repository's ``data/`` folder sits two levels above this file.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def data_file(name: str) -> Path:
    """The path of ``data/<name>``; a clear error if the repository's data folder is missing."""
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"data file {name!r} not found in {DATA_DIR}. attnlab must be installed editable from a "
            f"clone of the course repository (pip install -e code), so that data/ sits beside code/.")
    return path


STATIC_DIR = Path(__file__).resolve().parents[2] / "_static"


def static_file(name: str) -> Path:
    """The path of ``_static/<name>``, the files the book's site serves (e.g. head-view.js, which
    notebooks also inline into their output for Jupyter and Colab); a clear error if missing."""
    path = STATIC_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"static file {name!r} not found in {STATIC_DIR}. attnlab must be installed editable from a "
            f"clone of the course repository (pip install -e code), so that _static/ sits beside code/.")
    return path
