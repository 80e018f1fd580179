"""Exercise checkers: ``check(exercise_id, answer)`` prints a verdict and returns True or False.

Each notebook's exercises live in two files named after it (``soft_selection.py`` and
``soft_selection.yml`` for ``soft-selection.ipynb``): the mechanics in Python, the words in the
catalogue (see :mod:`.core`). Every module here is imported below and every multiple-choice
exercise of the catalogue registered, so adding an exercise needs no edit of this file.
"""

import importlib
import pkgutil

from .answers import Incorrect
from .core import check, exercise, ids
from .declarations import choice_exercises

_MACHINERY = {"answers", "core", "declarations"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _MACHINERY:
        importlib.import_module(f"{__name__}.{_module.name}")
choice_exercises()

__all__ = ["check", "ids", "exercise", "Incorrect"]
