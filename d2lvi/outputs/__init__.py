"""Cell outputs: their stored text form, comparison, seeded execution and the output gate.

Pure core (notebook in, text or divergences out); ``gate`` is the adapter that reads files
and prints reports. May import: ``d2lvi.source``, ``d2lvi.config``. Never Sphinx.
"""
