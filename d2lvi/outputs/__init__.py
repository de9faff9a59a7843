"""Cell outputs: their stored form, comparison, seeded execution and the output gate.

Pure core (notebook in, text or divergences out): ``store`` (the stored text form, figures
as files beside it), ``tolerance`` (the ``:tolerance:`` option, numbers compared by value),
``svg`` (an SVG figure's canonical lines), ``images`` (figures compared: SVG by content,
rasters by pixels), ``compare`` (cells aligned and compared), ``report`` (the HTML report,
data in, HTML out). ``execute`` + ``seed`` + ``kernel/`` run chapters in seeded kernels;
``gate`` is the adapter that reads files and prints reports. May import: ``d2lvi.source``,
``d2lvi.config``. Never Sphinx.
"""
