"""Author–year citations: "[Bahdanau et al., 2015]" in the text and in the bibliography.

sphinxcontrib-bibtex's ``bibtex_reference_style = "author_year"`` writes the citations in the
text by author and year, but the bibliography keeps the labels of its formatting style, and the
default ("alpha") builds them from raw BibTeX, so "Léonard" became "BLeonardC13" and "Schütze"
"YSchutzeXZ16". This extension registers a pybtex formatting style, ``author_year``, whose labels
are "Bahdanau et al., 2015" (one or two authors named in full, three or more as "et al."; a
letter added when two entries would read the same), with LaTeX accents decoded. Select it with
``bibtex_default_style: author_year``; the list is sorted by author, year and title.

Registered in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsortedStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle


def _last_name(person) -> str:
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def _authors(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        return Text.from_latex(entry.fields.get("title", entry.key)).render_as("text")
    names = [_last_name(p) for p in people]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [f"{_authors(e)}, {e.fields.get('year', 'n.d.')}" for e in entries]
        repeated, seen = Counter(labels), Counter()
        for label in labels:
            if repeated[label] > 1:
                seen[label] += 1
                yield f"{label}{chr(ord('a') + seen[label] - 1)}"
            else:
                yield label


class AuthorYearStyle(UnsortedStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = SortingStyle


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabels)
register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
