"""The PDF edition's LaTeX writer: source markers, page references, SVG figures as PDF.

Loaded by ``d2lvi.site.latex`` for LaTeX builds only.

- Before each block of the generated LaTeX, a comment marks the book's file and line
  (``%d2lvi-src …``, written by ``d2lvi.export.pdf.marker``): a LaTeX error is traced back
  through it to the source (``d2lvi.build.pdf``).
- Every numbered reference gets its page (``Hình 1 (trang 3)``), and so does every citation
  (``[Long et al., 2015, trang 9]``), as a printed book needs.
- SVG figures become vector PDF through librsvg's ``rsvg-convert``.
- The back matter (the pages of the table of contents' unnumbered parts after the numbered
  content: glossary, bibliography) is set as unnumbered chapters, listed in the contents
  without a number, as in the HTML book.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms.images import ImageConverter
from sphinx.writers.latex import LaTeXTranslator

from d2lvi.export.pdf import marker

# Raw LaTeX sphinxcontrib-bibtex writes around a citation's text.
CITATION_OPEN = re.compile(r"^\\hyperlink\{cite\.(?P<key>.+)\}\{$")
# Blocks that get no marker: inline or invisible ones, and footnotes (Sphinx moves them).
UNMARKED = (nodes.Inline, nodes.Invisible, nodes.footnote, nodes.raw, nodes.comment)


def citation_label(key: str) -> str:
    """The ``\\label`` of a bibliography entry, for page references to it."""
    return f"dlvicite.{key}"


class Translator(LaTeXTranslator):
    """Sphinx's LaTeX translator with source markers and page references."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sphinx titles the contents after the first toctree's caption (a part's, e.g.
        # "Nội dung"): the book's contents stay "Mục lục" (polyglossia's \contentsname).
        self.elements["contentsname"] = ""
        self._last_marker = ""
        self._citations: list[str] = []
        self._seen_numbered = False
        self._back_matter = False

    # -- back matter ---------------------------------------------------------------------

    def visit_start_of_file(self, node: nodes.Element) -> None:
        """A page of an unnumbered part after numbered ones starts the back matter."""
        super().visit_start_of_file(node)
        numbered = bool(self.builder.env.toc_secnumbers.get(node["docname"]))
        if numbered:
            self._seen_numbered = True
        elif self._seen_numbered and not self._back_matter:
            self._back_matter = True
            self.body.append("\\dlvibackmatter\n")

    # -- source markers ------------------------------------------------------------------

    def _marker(self, node: nodes.Node, kind: str) -> None:
        """Write the marker of ``node`` (unless the same one was just written)."""
        line = getattr(node, "line", None)
        source = _source_of(node)
        if not line or not source or self.in_title or self.in_caption \
                or self.in_parsed_literal or self.in_production_list or self.in_footnote:
            return
        path = os.path.relpath(str(source).split(":", 1)[0], self.builder.srcdir)
        text = marker(kind, Path(path).as_posix(), int(line))
        if text != self._last_marker:
            # On a line of its own ("%" ends the current line without adding a space).
            if self.body and not self.body[-1].endswith("\n"):
                text = "%\n" + text
            self.body.append(text)
            self._last_marker = text.removeprefix("%\n")

    def dispatch_visit(self, node: nodes.Node) -> None:
        """Mark each block's source before it, and a paragraph's first text line."""
        if type(node).__name__ == "raw_latex" and self._citation_page(node):
            raise nodes.SkipNode
        block = isinstance(node, nodes.Body) and not isinstance(node, UNMARKED)
        if block and not isinstance(node, nodes.paragraph):
            self._marker(node, "b")
        super().dispatch_visit(node)
        if isinstance(node, nodes.paragraph):
            # After \sphinxAtStartPar: the paragraph's lines follow one for one.
            self._marker(node, "t")

    def dispatch_departure(self, node: nodes.Node) -> None:
        """A marker is due again after any block ends (the next one may repeat a line)."""
        super().dispatch_departure(node)
        if isinstance(node, nodes.Body):
            self._last_marker = ""

    # -- page references -----------------------------------------------------------------

    def visit_number_reference(self, node: nodes.Element) -> None:
        """``Hình 1`` -> ``Hình 1 (trang 3)``."""
        if node.get("refid"):
            target = self.curfilestack[-1] + ":" + node["refid"]
        else:
            target = node.get("refuri", "")[1:].replace("#", ":")
        try:
            super().visit_number_reference(node)
        except nodes.SkipNode:
            if not self.in_title and not self.in_caption:
                self.body.append(rf"\dlvipageref{{{self.idescape(target)}}}")
            raise

    def _citation_page(self, node: nodes.Node) -> bool:
        """sphinxcontrib-bibtex's raw LaTeX around a citation: add the entry's page at its end.

        (Its ``raw_latex`` nodes hold ``\\hyperlink{cite.KEY}{``, the citation text, then ``}``.)
        """
        text = getattr(node, "rawsource", "") or node.astext()
        opened = CITATION_OPEN.match(text)
        if opened:
            self._citations.append(opened["key"])
        elif text == "}" and self._citations:
            label = self.idescape(citation_label(self._citations.pop()))
            self.body.append(rf"}}\dlvicitepage{{{label}}}")
            return True
        return False

    def visit_citation(self, node: nodes.Element) -> None:
        """A bibliography entry, labelled for the page references of its citations."""
        super().visit_citation(node)
        key = f"{node['docname']}:{node['ids'][0]}"
        self.body.append(rf"\label{{{self.idescape(citation_label(key))}}}")


class SvgToPdf(ImageConverter):
    """SVG figures become vector PDF for XeLaTeX (librsvg's ``rsvg-convert``, from Debian)."""

    conversion_rules = [("image/svg+xml", "application/pdf")]

    def is_available(self) -> bool:
        """Whether ``rsvg-convert`` is installed (``make pdf-deps``)."""
        return shutil.which("rsvg-convert") is not None

    def convert(self, _from: str, _to: str) -> bool:
        """Convert one SVG file; a failure names the file."""
        done = subprocess.run(["rsvg-convert", "--format=pdf", f"--output={_to}", _from],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ExtensionError(f"[d2lvi.latex] {_from}: rsvg-convert thất bại: "
                                 f"{done.stderr.strip()}")
        return True


def _source_of(node: nodes.Node) -> str | None:
    """The source file of a node or of its nearest ancestor that knows it."""
    while node is not None:
        source = getattr(node, "source", None)
        if source:
            return source
        node = node.parent
    return None
