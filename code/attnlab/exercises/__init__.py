"""Exercise checkers: ``check(exercise_id, answer)`` prints a verdict and returns True or False.

Each notebook registers its exercises in a module of this package named after it
(``soft_selection.py`` for ``soft-selection.ipynb``); every module here is imported below, so
registering needs no edit of this file.
"""

import importlib
import pkgutil

from .core import Incorrect, check, exercise, ids

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "core":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["check", "ids", "exercise", "Incorrect"]
