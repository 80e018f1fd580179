"""The two editions of the book link to each other, page by page (issue 20, 中文版).

The English book is built into ``_build/html/`` and the Chinese one, generated from it by
``scripts/i18n.py``, into ``_build/html/zh/``, with the same page names. Every page gets, in its
head, ``<link rel="alternate" hreflang=...>`` to itself and to its twin, and above its text a
visible link to the twin, in the twin's language. Configured in each book's ``_config.yml``:
``book_edition`` is this book's language (a key of :data:`EDITIONS`). Registered under
``sphinx.local_extensions``.
"""

from __future__ import annotations

from html import escape

# language (hreflang) -> (folder under the English site's root, the link's text in that language)
EDITIONS = {"en": ("", "English"), "zh-CN": ("zh/", "中文")}


def twin_links(edition: str, pagename: str) -> dict[str, str]:
    """Every edition's address of ``pagename``, relative to the page ``pagename`` of ``edition``."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    folder = EDITIONS[edition][0]
    to_site_root = "../" * (pagename.count("/") + folder.count("/"))
    return {language: f"{to_site_root}{prefix}{pagename}.html" for language, (prefix, _) in EDITIONS.items()}


def _add_links(app, pagename, templatename, context, doctree):
    if doctree is None and pagename != "search":      # genindex and the like: no twin to link
        return
    edition = app.config.book_edition
    links = twin_links(edition, pagename)
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{language}" href="{escape(href)}" />' for language, href in links.items())
    if "body" in context:
        switch = " · ".join(
            f'<a class="language-switch-link" href="{escape(links[language])}" hreflang="{language}" '
            f'lang="{language}">{text}</a>' for language, (_, text) in EDITIONS.items() if language != edition)
        context["body"] = f'<p class="language-switch" style="text-align: right">{switch}</p>\n' + context["body"]


def setup(app):
    app.add_config_value("book_edition", "en", "html")
    app.connect("html-page-context", _add_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
