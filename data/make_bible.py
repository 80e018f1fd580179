"""Make data/bible-kjv-web.tsv.xz: the verses of the King James Version and the World English Bible,
aligned by reference (book, chapter, verse), for paraphrase identification (chapter 5, ABCNN).

Source: the Debian packages sword-text-kjv (the King James Version, 1769 text; public domain) and
sword-text-web (the World English Bible, 2015; public domain), read with `diatheke` (package
diatheke). They are not in Colab, so the processed file is committed. To remake it (as root):

    apt-get install -y diatheke sword-text-kjv sword-text-web
    python data/make_bible.py

We export OSIS (the plain output glues words together), strip the markup, and keep the text after
each verse reference (Psalm headings and section titles repeat before it). Only the 66 books both
translations share are kept (the WEB module also holds the deuterocanonical books), and only
verses present and non-empty in both. Columns: book, chapter, verse, kjv, web.
"""

from __future__ import annotations

import lzma
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).with_name("bible-kjv-web.tsv.xz")
MODULES = {"kjv": "engKJV2006eb", "web": "engWEB2015eb"}
REFERENCE = re.compile(r"((?:I{1,3} |IV )?[A-Z][A-Za-z]+(?: (?:of )?[A-Z][A-Za-z]+)*) (\d+):(\d+): ")


def verses(module: str) -> dict[tuple[str, int, int], str]:
    """{(book, chapter, verse): text} of one SWORD module, exported as OSIS by diatheke."""
    osis = subprocess.run(["diatheke", "-b", module, "-f", "OSIS", "-k", "Gen 1:1-Rev 22:21"],
                          capture_output=True, text=True, check=True).stdout
    found = {}
    for line in osis.splitlines():
        references = list(REFERENCE.finditer(line))
        if not references:
            continue
        last = references[-1]  # headings and titles stand before the reference
        text = line[last.end():]
        text = re.split(r" {4,}", text)[0]  # the WEB's glossary follows its last verse after a gap
        # Two words the markup glued together: "God</w><w>created", "only born<w>Son</w>".
        text = re.sub(r"(?<=\w)<w>", " <w>", text.replace("</w><w>", "</w> <w>"))
        text = re.sub(r"<[^>]+>", "", text).replace("¶", " ")
        text = re.sub(r"\s+", " ", text).strip()
        key = (last.group(1), int(last.group(2)), int(last.group(3)))
        if text and key not in found:
            found[key] = text
    return found


def main() -> None:
    kjv, web = verses(MODULES["kjv"]), verses(MODULES["web"])
    keys = [key for key in kjv if key in web]  # KJV order; its 66 books
    lines = ["book\tchapter\tverse\tkjv\tweb"]
    for book, chapter, verse in keys:
        a, b = kjv[book, chapter, verse], web[book, chapter, verse]
        if "\t" in a + b:
            raise ValueError(f"a tab in {book} {chapter}:{verse}")
        lines.append(f"{book}\t{chapter}\t{verse}\t{a}\t{b}")
    OUT.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    print(f"{OUT.name}: {len(keys)} aligned verses of {len(kjv)} (KJV) and {len(web)} (WEB), "
          f"{OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
