"""Keep the site self-contained: MathJax served from the site, thebe not loaded when unused.

MathJax comes from the pinned PyPI package ``django-static-mathjax`` (MathJax 3.2.2,
Apache-2.0). Only what a page loads at run time is copied into ``_static/mathjax``: the
combined ``tex-chtml.js``, the CHTML web fonts, the TeX extensions that ``autoload`` fetches,
and the accessibility and menu components (with the speech rule engine's maps) that the
MathJax context menu loads on demand. The config value ``mathjax_path`` is pointed at the copy,
so no page asks a CDN for anything.

Jupyter Book always activates sphinx-thebe, which puts a ``const THEBE_JS_URL`` script (pointing
at unpkg.com) on every page and, on a rebuild, puts it there twice, so the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Unless a thebe launch button is
configured (``launch_buttons.thebe``), this extension stops sphinx-thebe from adding its
scripts and stylesheet; its directives stay registered, so nothing else changes.

Registered in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MATHJAX_PARTS = (
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "a11y",
    "ui",
    "sre",
)
TARGET = "mathjax"  # below the build's _static


def mathjax_source() -> Path:
    """The es5 folder of the installed MathJax, or an error saying what to install."""
    try:
        import mathjax  # the django-static-mathjax package
    except ImportError as error:
        raise RuntimeError("MathJax is served from the site: pip install django-static-mathjax "
                           "(pinned in requirements.txt)") from error
    root = Path(mathjax.__file__).parent / "static" / "mathjax"
    if not (root / "es5" / "tex-chtml.js").exists():
        raise RuntimeError(f"no MathJax 3 in {root}; reinstall django-static-mathjax")
    return root


def _config_inited(app, config) -> None:
    config.mathjax_path = f"{TARGET}/tex-chtml.js"  # relative to _static


def _thebe_wanted(config) -> bool:
    launch = (config.html_theme_options or {}).get("launch_buttons") or {}
    thebe = config.thebe_config if isinstance(config.thebe_config, dict) else {}
    return bool(launch.get("thebe") or thebe.get("always_load"))


def _drop_unused_thebe(app, config) -> None:
    if _thebe_wanted(config):
        return
    for listener in list(app.events.listeners.get("env-before-read-docs", [])):
        if getattr(listener.handler, "__module__", "") == "sphinx_thebe" and \
                listener.handler.__name__ == "init_thebe_core":
            app.disconnect(listener.id)
    app.registry.css_files = [(name, attrs) for name, attrs in app.registry.css_files
                              if name != "sphinx-thebe.css"]


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / TARGET
    for part in MATHJAX_PARTS:
        src = source / "es5" / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / part)
    shutil.copy2(source / "LICENSE", target / "LICENSE")


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("config-inited", _drop_unused_thebe)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
