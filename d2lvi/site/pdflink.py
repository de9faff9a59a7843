"""Sphinx extension: a "Tải PDF" link on every HTML page, when the PDF has been built.

``make html`` does not build the PDF (XeLaTeX takes longer than the whole HTML build), so
the link must never point at nothing: a page links an edition only when that edition's PDF
is in ``_build/pdf`` (``make pdf`` writes it there), and the build copies it into the HTML
output beside the pages. ``make pdf`` ends with ``make html``, which rewrites the pages with
the link: the available editions are an ``html`` configuration value, so a change rewrites
every page without re-reading any source.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from d2lvi.export.pdf import EDITIONS


def built_pdfs(pdf_dir: Path) -> list[list[str]]:
    """``[file, link text]`` of each edition whose PDF is in ``pdf_dir``."""
    return [[e.file, e.link] for e in EDITIONS.values() if (pdf_dir / e.file).is_file()]


def _pdf_dir(app: Sphinx) -> Path:
    """Where ``make pdf`` puts the PDFs: ``_build/pdf`` beside ``_build/html``."""
    return Path(app.outdir).parent / "pdf"


def find_pdfs(app: Sphinx, config: Config) -> None:
    """``config-inited``: the editions built so far (a change rewrites every page)."""
    config.d2lvi_pdf_links = built_pdfs(_pdf_dir(app))


def add_links(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
              doctree: Any) -> None:
    """``html-page-context``: the links, relative to the page, for the sidebar template."""
    pathto = context["pathto"]
    context["d2lvi_pdf_links"] = [(pathto(file, 1), text)
                                  for file, text in app.config.d2lvi_pdf_links]


def copy_pdfs(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the linked PDFs into the HTML output; no stale edition left."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    linked = {file for file, _ in app.config.d2lvi_pdf_links}
    for edition in EDITIONS.values():
        target = outdir / edition.file
        source = _pdf_dir(app) / edition.file
        if edition.file in linked and source.is_file():
            if not target.exists() or not filecmp.cmp(source, target, shallow=False):
                partial = target.with_name(target.name + ".partial")
                shutil.copyfile(source, partial)
                partial.replace(target)
        elif target.exists():
            target.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_pdf_links", [], "html", [list])
    app.connect("config-inited", find_pdfs)
    app.connect("html-page-context", add_links)
    app.connect("build-finished", copy_pdfs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
