"""Sphinx extension: the PDF edition, through Sphinx's LaTeX builder and XeLaTeX.

- ``config-inited``: the LaTeX set-up of a Vietnamese book (``d2lvi.export.pdf`` writes the
  font part from ``d2lvi_pdf_fonts``): polyglossia with Vietnamese as the main language, so
  every fixed string (Chương, Mục lục, Hình, Tài liệu tham khảo…) is Vietnamese and nothing
  is hyphenated inside a Vietnamese syllable (polyglossia's Vietnamese has no patterns: it
  uses ``nohyphenation``); the English originals of the bilingual edition in a smaller,
  distinct style, hyphenated as English; page references in Vietnamese ("trang").
- A LaTeX translator that (1) writes a source marker comment (``%d2lvi-src …``) before each
  block, so a LaTeX error is traced back to the book's file and line; (2) adds the page to
  every numbered reference (``Hình 1 (trang 3)``) and to every citation (``[Long et al.,
  2015, trang 9]``), as a printed book needs.

The edition (``vi`` or ``song-ngu``) comes from ``d2lvi_pdf_edition`` or, for ``make pdf
EDITION=…``, the ``D2LVI_PDF_EDITION`` environment variable; it only changes what the LaTeX
writer writes, never the doctrees (shared with the HTML build, whose executions are reused).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError
from sphinx.transforms.post_transforms.images import ImageConverter
from sphinx.writers.latex import LaTeXTranslator

from d2lvi.export.pdf import EDITION_ENV, EDITIONS, PdfError, font_preamble, marker, pdf_name

# Polyglossia, given in Sphinx's ``babel`` slot: with the ``polyglossia`` slot Sphinx appends
# ``\setmainlanguage{vietnam}`` (docutils' babel name, unknown to polyglossia). Sphinx adds
# its Vietnamese strings (Hình, Bảng, Mã) to ``\captionsvietnam``: polyglossia's Vietnamese
# captions run it.
MULTILINGUAL = r"""\usepackage{polyglossia}
\setmainlanguage{vietnamese}
\setotherlanguage[variant=american]{english}
\providecommand{\captionsvietnam}{}
\gappto\captionsvietnamese{\captionsvietnam}"""

PREAMBLE = r"""
% -- d2lvi: the Vietnamese PDF edition ---------------------------------------------------
% A character the font lacks is an error, not a silent gap (the broken diacritics of earlier
% Vietnamese PDFs): the build stops and names the source line.
\tracinglostchars=3
% No Vietnamese syllable is ever split (polyglossia's Vietnamese sets nohyphenation); let
% lines stretch a little instead of overflowing the margin.
\setlength{\emergencystretch}{3em}
\uchyph=0
% Page references: "(trang 3)" (after sphinxmessages, which sets Sphinx's own word).
\AtBeginDocument{\def\pageautorefname{trang}}
\newcommand{\dlvipageref}[1]{\nobreakspace(\autopageref*{#1})}
\newcommand{\dlvicitepage}[1]{, \autopageref*{#1}}
% sphinxcontrib-bibtex puts the bibliography inside its own chapter ("Tài liệu tham khảo"):
% no second chapter heading from thebibliography.
\makeatletter
\renewenvironment{sphinxthebibliography}[1]
  {\begingroup\def\chapter*##1{}\begin{thebibliography}{#1}}
  {\end{thebibliography}\endgroup}
\makeatother
% The English originals of the bilingual edition: smaller, sans-serif, grey, indented,
% hyphenated as English.
\definecolor{dlvienglish}{RGB}{85,85,85}
\newenvironment{dlvienglish}
  {\par\smallskip\begin{otherlanguage}{english}\def\pageautorefname{page}%
   \small\sffamily\color{dlvienglish}\leftskip=1.5em\relax}
  {\par\end{otherlanguage}\medskip}
\newcommand{\dlvienglishtitle}[1]
  {\par{\begin{otherlanguage}{english}\small\sffamily\itshape\color{dlvienglish}#1%
   \end{otherlanguage}}\par\nobreak\smallskip}
"""

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
        self._last_marker = ""
        self._citations: list[str] = []

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
        """Whether ``rsvg-convert`` is installed (``make system-deps``)."""
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


def configure(app: Sphinx, config: Config) -> None:
    """``config-inited``: the edition, the fonts and the Vietnamese LaTeX set-up."""
    edition = os.environ.get(EDITION_ENV) or config.d2lvi_pdf_edition
    try:
        pdf_name(edition)
    except PdfError as err:
        raise ConfigError(f"[d2lvi.latex] {err}") from err
    config.d2lvi_pdf_edition = edition
    elements = dict(config.latex_elements)
    try:
        elements.setdefault("fontpkg", font_preamble(config.d2lvi_pdf_fonts))
    except PdfError as err:
        raise ConfigError(f"[d2lvi.latex] {err}") from err
    # The mark of a code line broken at a space: a math symbol (the fonts lack U+2423).
    setup = elements.get("sphinxsetup", "")
    elements["sphinxsetup"] = ",".join(filter(None, [
        r"verbatimvisiblespace={\textcolor{red}{\ensuremath{\sqcup}}}", setup]))
    elements.setdefault("babel", MULTILINGUAL)
    elements.setdefault("polyglossia", "")
    label = EDITIONS[edition].title_line
    # The edition's line on the title page and in the running head ("," before it: Sphinx
    # empties the separator when the release is empty, as it is until this hook).
    release = (rf"\AtBeginDocument{{\release{{{label}}}\renewcommand{{\sphinxheadercomma}}{{,}}}}"
               if label else "")
    elements["preamble"] = PREAMBLE + release + "\n" + elements.get("preamble", "")
    # The root page's text follows the contents: not under a "Mục lục" running head.
    elements.setdefault("tableofcontents", "\\sphinxtableofcontents\n\\markboth{}{}")
    # The HTML book has no index; neither has the PDF (and no xindy is needed).
    elements.setdefault("makeindex", "")
    elements.setdefault("printindex", "")
    config.latex_elements = elements


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_pdf_edition", "vi", "", [str])
    app.add_config_value("d2lvi_pdf_fonts", {"serif": "Noto Serif", "sans": "Noto Sans",
                                             "mono": "Noto Sans Mono"}, "", [dict])
    app.setup_extension("d2lvi.site.pdflink")
    app.connect("config-inited", configure)
    app.set_translator("latex", Translator)
    app.add_post_transform(SvgToPdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
