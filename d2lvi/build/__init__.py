"""Building the book fast and measuring it: the warm build server and its client, the PDF
edition's build (``pdf``: LaTeX builder, latexmk, atomic publish), the Jinja
template cache's companion tools, scratch copies, the benchmark, page weight and the browser
helper used by the weight report and the browser tests.

May import every other subpackage; nothing imports it except ``d2lvi.cli``.
"""
