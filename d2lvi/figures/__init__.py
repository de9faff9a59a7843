"""Figures generated from a section's own computation (``img/trans_conv.svg``).

Pure core (arrays in, SVG text out) with a CLI adapter. May import: ``d2lvi.config``.
"""
