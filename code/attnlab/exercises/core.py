"""The exercise checker: a registry of exercises, their words, and :func:`check`.

An exercise has two halves. Its words (title, praise, hint, and one message per typical wrong
answer) live in the catalogue, ``attnlab/exercises/<notebook>.yml``; a multiple-choice exercise
lives there whole. Its mechanics (hidden inputs, the reference, the typical mistakes, each named
by the key of its message) live in ``attnlab/exercises/<notebook>.py``, declared as data through
:mod:`attnlab.exercises.declarations` wherever a declaration can say it. A checker that needs
more registers a function with :func:`exercise`.

:func:`check` never lets an exception escape in front of the learner: ``None``, a wrong type, a
wrong shape, NaN, or a function that raises all become a message (:mod:`.answers` reads the
answer). :func:`verdict` is the same without that safety net, for the tests.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from .answers import Incorrect

__all__ = ["Exercise", "register", "exercise", "words", "catalogue", "check", "verdict", "ids"]


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    checker: Callable[[Any], str]       # answer -> praise, or raises Incorrect


_REGISTRY: dict[str, Exercise] = {}
_CATALOGUE: dict[str, dict] = {}


def register(exercise: Exercise) -> None:
    """Add ``exercise`` to the registry; an id may be registered once."""
    if exercise.id in _REGISTRY:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    _REGISTRY[exercise.id] = exercise


def catalogue() -> dict[str, dict]:
    """Every exercise's words, by id, read once from the ``*.yml`` files beside this module.
    Each entry holds ``title`` and ``praise``, mostly ``hint``, and ``wrong``: a message for
    each typical wrong answer, by key; ``source`` names its file."""
    if not _CATALOGUE:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for path in sorted(Path(__file__).parent.glob("*.yml")):
            for exercise_id, entry in yaml.load(path.read_text(encoding="utf-8"), Loader=loader).items():
                if exercise_id in _CATALOGUE:
                    raise ValueError(f"{path.name}: exercise {exercise_id!r} already has words in "
                                     f"{_CATALOGUE[exercise_id]['source']}")
                _CATALOGUE[exercise_id] = {"source": path.name, "wrong": {}, **entry}
    return _CATALOGUE


def words(exercise_id: str, keys: set | None = None) -> dict:
    """The catalogue's entry for ``exercise_id``. ``keys``: the wrong answers the code names;
    the catalogue must give a message for exactly these."""
    entry = catalogue().get(exercise_id)
    if entry is None:
        raise ValueError(f"exercise {exercise_id!r} has no words: add its title, praise and messages "
                         f"to attnlab/exercises/<notebook>.yml")
    if keys is not None and set(keys) != set(entry["wrong"]):
        raise ValueError(f"exercise {exercise_id!r}: the code names the wrong answers {sorted(map(str, keys))}, "
                         f"{entry['source']} has messages for {sorted(map(str, entry['wrong']))}")
    return entry


def fill(text: str, **values: Any) -> str:
    """A catalogue text with its ``{fields}`` filled in (a literal brace is written twice)."""
    return text.format(**values)


def fields(text: str) -> set[str]:
    """The names of the ``{fields}`` a catalogue text asks for."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def exercise(exercise_id: str):
    """Decorator that registers ``checker(answer, wrong)`` under ``exercise_id``, for an exercise
    a declaration cannot say. The checker raises ``wrong(key, **values)``: an :class:`Incorrect`
    with the catalogue's message ``key``, its fields filled with ``values``. It returns None, or a
    dict of values for the fields of the praise."""
    entry = words(exercise_id)

    def wrong(key: str, **values: Any) -> Incorrect:
        return Incorrect(fill(entry["wrong"][key], **values))

    def register_checker(checker):
        @functools.wraps(checker)           # run belongs to the checker's module
        def run(answer):
            return fill(entry["praise"], **(checker(answer, wrong) or {}))
        register(Exercise(exercise_id, entry["title"], run))
        return checker
    return register_checker


def ids() -> list[str]:
    """The ids of all registered exercises, in the book's order."""
    return sorted(_REGISTRY, key=lambda i: [int(p) if p.isdigit() else p for p in i.replace("-", ".").split(".")])


def verdict(exercise_id: str, answer: Any) -> tuple[bool, str]:
    """``(passed, message)`` for ``answer`` to exercise ``exercise_id``, as :func:`check` prints
    it. A checker that crashes (raises anything but :class:`Incorrect`) is a bug of the checker,
    not of the answer: here it propagates, so the tests see it; :func:`check` hides it from the
    learner."""
    if exercise_id not in _REGISTRY:
        raise KeyError(f"there is no exercise {exercise_id!r}; known exercises: {', '.join(ids())}")
    ex = _REGISTRY[exercise_id]
    try:
        praise = ex.checker(answer)
    except Incorrect as wrong:
        return False, f"✗ Not yet ({ex.id}, {ex.title}): {wrong}"
    return True, f"✓ Correct ({ex.id}, {ex.title}).{' ' + praise if praise else ''}"


class Verdict:
    """What :func:`check` returns: true when the answer passed. It shows nothing in a notebook
    (the printed message says it all), so a starter cell ends without a stray ``False``."""

    def __init__(self, passed: bool):
        self.passed = passed

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        pass


def check(exercise_id: str, answer: Any) -> Verdict:
    """Check ``answer`` to exercise ``exercise_id``; print a verdict and return it (true when
    the answer passed, so a solution cell can end with ``assert check(...)``)."""
    if exercise_id not in _REGISTRY:
        raise KeyError(f"there is no exercise {exercise_id!r}; known exercises: {', '.join(ids())}")
    try:
        passed, message = verdict(exercise_id, answer)
    except Exception as error:  # a checker must never crash in front of the learner
        ex = _REGISTRY[exercise_id]
        passed, message = False, (f"✗ Not yet ({ex.id}, {ex.title}): checking your answer raised "
                                  f"{type(error).__name__}: {error}. Look at the type and shape of "
                                  f"what you passed in.")
    print(message)
    return Verdict(passed)
