"""Exercises of chapter 4, "Internal and external information" (internal-external.ipynb)."""

from __future__ import annotations

from .core import Incorrect, exercise

_EXPECTED = "IEEEI"
_WHY = {
    0: "(1) the encoder's queries are computed from the very sentence it attends over: internal.",
    1: "(2) the decoder state comes from the target side, outside the source sentence attended over: external.",
    2: "(3) the question is not part of the passage attended over: external.",
    3: "(4) a learned pooling vector is a parameter, not computed from the text: external.",
    4: "(5) masked self-attention attends over the target prefix with queries from that same prefix: internal.",
}


@exercise("4.2-internal-external", "Internal or external?")
def _(answer):
    if answer is None:
        raise Incorrect("answer is None: replace it by a five-letter string of I and E, e.g. \"IEIEI\".")
    if not isinstance(answer, str):
        raise Incorrect(f"answer should be a string such as \"IEIEI\", but it is a {type(answer).__name__}.")
    letters = "".join(c for c in answer.upper() if not c.isspace() and c not in ",;")
    if len(letters) != 5 or set(letters) - {"I", "E"}:
        raise Incorrect(f"answer is {answer!r}; it should be exactly five letters, each I or E.")
    wrong = [i for i in range(5) if letters[i] != _EXPECTED[i]]
    if wrong:
        raise Incorrect(f"{len(wrong)} of 5 are not right yet. " + " ".join(_WHY[i] for i in wrong))
    return "Ask where the query comes from: from the text attended over (internal) or from elsewhere (external)."
