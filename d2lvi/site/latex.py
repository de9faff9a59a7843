"""Sphinx extension: the PDF edition, through Sphinx's LaTeX builder and XeLaTeX.

- ``config-inited``: the LaTeX set-up of a Vietnamese book (``d2lvi.export.pdf`` writes the
  font part from ``d2lvi_pdf_fonts``): polyglossia with Vietnamese as the main language, so
  every fixed string (Chương, Mục lục, Hình, Tài liệu tham khảo…) is Vietnamese and nothing
  is hyphenated inside a Vietnamese syllable (polyglossia's Vietnamese has no patterns: it
  uses ``nohyphenation``); the English originals of the bilingual edition in a smaller,
  distinct style, hyphenated as English; page references in Vietnamese ("trang").
- For LaTeX builds only, the translator and SVG converter of ``d2lvi.site.latex_writer``
  (source markers for located errors, page references, SVG figures as vector PDF).

The edition (``vi`` or ``song-ngu``) comes from ``d2lvi_pdf_edition`` or, for ``make pdf
EDITION=…``, the ``D2LVI_PDF_EDITION`` environment variable; it only changes what the LaTeX
writer writes, never the doctrees (shared with the HTML build, whose executions are reused).
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from d2lvi.export.pdf import EDITION_ENV, EDITIONS, PdfError, font_preamble, pdf_name

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
% The contents list sections and their subsections (d2l's numbered x.y.z).
\setcounter{tocdepth}{2}
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
% The back matter (glossary, bibliography): chapters without a number, in the contents too
% (d2lvi.site.latex_writer writes \dlvibackmatter before its first page).
\newcommand{\dlvibackmatter}{\setcounter{secnumdepth}{-1}}
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


def _latex_writer(app: Sphinx) -> None:
    """``builder-inited``: the translator and the SVG converter, for LaTeX builds only.

    (Imported here: the HTML builds, the book's usual ones, never load Sphinx's LaTeX writer.)
    """
    if app.builder.format != "latex":
        return
    from d2lvi.site.latex_writer import SvgToPdf, Translator

    app.set_translator("latex", Translator, override=True)
    app.add_post_transform(SvgToPdf)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_pdf_edition", "vi", "", [str])
    app.add_config_value("d2lvi_pdf_fonts", {"serif": "Noto Serif", "sans": "Noto Sans",
                                             "mono": "Noto Sans Mono"}, "", [dict])
    app.setup_extension("d2lvi.site.pdflink")
    app.connect("config-inited", configure)
    app.connect("builder-inited", _latex_writer)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
