"""Exports of the book: Colab notebooks generated from the MyST chapters.

Pure core (chapter text in, notebook out) with a CLI adapter. May import: ``d2lvi.source``,
``d2lvi.outputs``, ``d2lvi.config``. Never Sphinx.
"""
