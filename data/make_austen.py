"""Make data/austen-paragraphs.jsonl.xz: paragraphs of Jane Austen's six novels, labelled by novel.

Used by chapter 4, "Hierarchical attention" (attnlab.data.austen loads the file).

Source: Debian's r-cran-janeaustenr package (the janeaustenr R package by Julia Silge, MIT;
the novels themselves are in the public domain). The package is *not* installed (that would pull
in R); it is downloaded and unpacked, and its lazy-load database is read with PyPI's ``rdata``
(a tool of this script only, not a runtime requirement of the course)::

    apt-get download r-cran-janeaustenr && dpkg-deb -x r-cran-janeaustenr_*.deb /tmp/janeaustenr
    pip install rdata
    python data/make_austen.py /tmp/janeaustenr

R's lazy-load database: ``Rdata.rdx`` is a gzip-compressed serialised R list whose ``variables``
give (offset, length) of each object in ``Rdata.rdb``; each object there is a 4-byte length
followed by a zlib stream of a serialised character vector (one element per line of the novel).

Processing: lines are joined into paragraphs (blank line = paragraph break); paragraphs of fewer
than 20 words are dropped; at most 600 paragraphs per novel are drawn at random (seed 0) and kept
in the novel's order; each paragraph is split into sentences and lowercased into words
(letters and inner apostrophes; punctuation and digits are dropped). Each output line is
``{"novel": "emma", "sentences": ["emma woodhouse handsome clever and rich", ...]}``.
"""

from __future__ import annotations

import gzip
import json
import lzma
import random
import re
import sys
import warnings
import zlib
from pathlib import Path

NOVELS = ("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion")
MIN_WORDS, PER_NOVEL, SEED = 20, 600, 0
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
# A sentence ends at . ! or ? (optionally followed by closing quotes) before white space,
# except after the abbreviations Austen uses for titles.
SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)[.!?]+[\"')_]*\s+")


def read_novels(root: Path) -> dict[str, list[str]]:
    import rdata  # the only place rdata is needed
    data = root / "usr/lib/R/site-library/janeaustenr/data"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdata warns that the .rdx header is not a file type it knows
        index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress((data / "Rdata.rdx").read_bytes())))
        database = (data / "Rdata.rdb").read_bytes()
        novels = {}
        for name, (offset, length) in index["variables"].items():
            raw = zlib.decompress(database[offset + 4: offset + length])
            novels[str(name)] = [str(line) for line in rdata.conversion.convert(rdata.parser.parse_data(raw))]
    return novels


def paragraphs(lines: list[str]) -> list[str]:
    found, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            found.append(" ".join(current))
            current = []
    return found


def sentences(paragraph: str) -> list[str]:
    split = [" ".join(WORD.findall(part.lower())) for part in SENTENCE_END.split(paragraph)]
    return [s for s in split if s]


def main(root: str) -> None:
    novels = read_novels(Path(root))
    rng = random.Random(SEED)
    out = Path(__file__).with_name("austen-paragraphs.jsonl.xz")
    with lzma.open(out, "wt", encoding="utf-8", preset=9) as f:
        for novel in NOVELS:
            kept = [p for p in paragraphs(novels[novel]) if len(WORD.findall(p.lower())) >= MIN_WORDS]
            chosen = sorted(rng.sample(range(len(kept)), min(PER_NOVEL, len(kept))))
            for i in chosen:
                f.write(json.dumps({"novel": novel, "sentences": sentences(kept[i])}) + "\n")
            print(f"{novel}: {len(kept)} paragraphs of {MIN_WORDS}+ words, kept {len(chosen)}")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/janeaustenr")
