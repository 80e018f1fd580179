"""Datasets and tasks of the book, one module per task (e.g. ``recall`` for chapter 1's
key–value recall). Every generator takes an explicit seed or ``torch.Generator``."""
