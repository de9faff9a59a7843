"""Building the book fast and measuring it: the warm build server and its client, the PDF
edition's build (``pdf``: LaTeX builder, latexmk, atomic publish), scratch copies and books of
many sections made from them, the benchmarks, page weight and the browser helper (a static
host's server) used by the weight report and the browser tests.

May import every other subpackage; nothing imports it except ``d2lvi.cli``.
"""
