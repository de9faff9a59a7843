"""Exports of the book: Colab notebooks generated from the MyST chapters, and the PDF
edition's pure core (``pdf``: editions, font set-up, LaTeX logs traced back to the sources).

Pure cores (chapter text in, notebook out; LaTeX log in, located error out) with a CLI
adapter. May import: ``d2lvi.source``, ``d2lvi.outputs``, ``d2lvi.config``. Never Sphinx.
"""
