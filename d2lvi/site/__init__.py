"""The site layer: every Sphinx extension of the book and the files it ships.

Bilingual rendering, the gate's and Colab's adapters, offline assets, math typeset at build
time, the icon font, Vietnamese search and UI strings, the PDF edition's LaTeX set-up
(``latex``) and the HTML pages' PDF link (``pdflink``) (``_static/``, ``_templates/``,
``locale/``, ``node/``). The only layer that imports Sphinx or docutils. May import every core
subpackage (``source``, ``translation``, ``outputs``, ``export``, ``figures``) and ``config``.
"""
