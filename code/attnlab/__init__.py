"""attnlab: the shared package of the open course on attention mechanisms.

Modules, by the book's words: ``attention`` (the core), ``viz`` (figures), ``train`` (seeding,
devices, the fit loop), ``exercises`` (checkers), ``paths`` (where the course's data live).
"""

__version__ = "0.1.0"
