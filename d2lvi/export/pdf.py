"""The PDF edition's pure core: editions, the LaTeX preamble, source markers, LaTeX logs.

Text in, data out; no Sphinx, no TeX run. The Sphinx side (``d2lvi.site.latex``) writes a
source marker comment before each block of the generated LaTeX; when XeLaTeX fails, the
error's line in the ``.tex`` file is traced back through the nearest marker above it to the
book's source file and line (``locate``), and reported on one line (``error_line``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edition:
    """A PDF edition: its file (in _build/pdf and the HTML), title-page line and link text."""

    file: str
    title_line: str
    link: str


# Edition name (``make pdf EDITION=…``) -> the edition.
EDITIONS = {
    "vi": Edition("book.pdf", "", "Tải PDF"),
    "song-ngu": Edition("book-song-ngu.pdf", "Bản song ngữ Việt – Anh", "Tải PDF song ngữ"),
}
DEFAULT_EDITION = "vi"
# The environment variable that carries the edition into the Sphinx build.
EDITION_ENV = "D2LVI_PDF_EDITION"
ERROR_CODE = "PDF001"

# ``%d2lvi-src t:12:chapter_cnn/x.md``: ``t`` = the text that follows starts at that source
# line and keeps its line breaks (a paragraph), ``b`` = a block that starts there.
MARKER_PREFIX = "%d2lvi-src "
MARKER = re.compile(r"^%d2lvi-src ([tb]):(\d+):(.*)$")
# -file-line-error: ``./book.tex:123: Undefined control sequence.``
FILE_LINE_ERROR = re.compile(r"^(?P<file>[^\s:][^:]*\.(?:tex|sty|cls|cfg|def|ldf|fd)):"
                             r"(?P<line>\d+): (?P<message>.*)$")
CONTEXT_LINE = re.compile(r"^l\.(\d+) (.*)$")


class PdfError(ValueError):
    """A PDF build problem, its message one line (file:line when known)."""


def pdf_name(edition: str) -> str:
    """The PDF file name of an edition; a clear error for an unknown one."""
    if edition not in EDITIONS:
        known = ", ".join(EDITIONS)
        raise PdfError(f"không có bản PDF «{edition}» (unknown edition): chọn một trong {known}")
    return EDITIONS[edition].file


def job_name(edition: str) -> str:
    """The LaTeX job (aux, log and pdf base name) of an edition."""
    return pdf_name(edition).removesuffix(".pdf")


def font_preamble(fonts: dict[str, str]) -> str:
    """fontspec set-up for the ``serif``, ``sans`` and ``mono`` families named in ``fonts``."""
    missing = {"serif", "sans", "mono"} - set(fonts)
    if missing:
        raise PdfError(f"d2lvi_pdf_fonts thiếu họ phông {sorted(missing)}")
    # Mono at the serif's x-height, so code and prose look the same size on a line.
    return "\n".join([
        r"\usepackage{fontspec}",
        rf"\setmainfont{{{fonts['serif']}}}",
        rf"\setsansfont{{{fonts['sans']}}}",
        rf"\setmonofont{{{fonts['mono']}}}[Scale=MatchLowercase]",
    ])


def marker(kind: str, path: str, line: int) -> str:
    """The comment line that ties the LaTeX below it to ``path:line`` of the book."""
    return f"{MARKER_PREFIX}{kind}:{line}:{path}\n"


@dataclass(frozen=True)
class LatexError:
    """The first error of a LaTeX log: where TeX stopped and what it said."""

    file: str
    line: int
    message: str
    context: str = ""


def parse_log(log: str) -> LatexError | None:
    """The first error of a log written with ``-file-line-error`` (None when there is none)."""
    lines = log.splitlines()
    for index, text in enumerate(lines):
        found = FILE_LINE_ERROR.match(text)
        if found is None and text.startswith("! "):
            # Errors TeX raises outside a file (e.g. "! Emergency stop.", a missing font).
            found = re.match(r"^! (?P<message>.*)$", text)
            file, line = "", 0
        elif found is not None:
            file, line = found["file"], int(found["line"])
        else:
            continue
        message = found["message"].strip()
        context = ""
        for follow in lines[index + 1:index + 12]:
            ctx = CONTEXT_LINE.match(follow)
            if ctx:
                context = ctx[2].strip()
                if not line:
                    line = int(ctx[1])
                break
        return LatexError(file, line, message, context)
    return None


def locate(tex: str, tex_line: int) -> tuple[str, int] | None:
    """The book source ``(path, line)`` of a line of the generated ``.tex`` (None: preamble)."""
    lines = tex.splitlines()
    for index in range(min(tex_line, len(lines)) - 1, -1, -1):
        found = MARKER.match(lines[index])
        if found is None:
            continue
        kind, start, path = found[1], int(found[2]), found[3]
        # 1-based line of the marker is index + 1; the text starts on the next one.
        offset = tex_line - (index + 2) if kind == "t" else 0
        return path, start + max(offset, 0)
    return None


def culprit(context: str) -> str:
    """What TeX was reading when it stopped: the end of the error's context line."""
    tail = context.rstrip()
    return tail[-60:] if len(tail) > 60 else tail


def refine(source: str, line: int, context: str, reach: int = 12) -> int:
    """The source line near ``line`` holding the prose TeX read just before the error.

    A marker's line can be a little early (MyST-NB numbers a Markdown cell from before the
    blank lines it strips), so the last words before the error, taken from TeX's context
    line, are looked up in the source around it; the nearest line that has them wins.
    """
    plain = re.split(r"\\|[{}$]", context)[0]
    words = re.findall(r"[^\W\d_]+", plain)
    if len(words) < 2:
        return line
    snippet = re.compile(r"\W+".join(re.escape(w) for w in words[-3:]))
    lines = source.splitlines()
    candidates = [n for n in range(max(1, line - 2), min(len(lines), line + reach) + 1)
                  if snippet.search(lines[n - 1])]
    return min(candidates, key=lambda n: abs(n - line)) if candidates else line


def error_line(error: LatexError, tex_name: str, tex: str, log_path: str,
               read: Callable[[str], str | None] = lambda _path: None) -> str:
    """One line for a LaTeX failure: ``source:line: PDF001 message `context` (log)``.

    ``read`` gives the text of a book source (None when unreadable), to pin the line down.
    """
    where = locate(tex, error.line) if error.file.endswith(tex_name) else None
    if where is None:
        path, line = error.file or tex_name, error.line
    else:
        path, line = where
        source = read(path)
        if source is not None and error.context:
            line = refine(source, line, error.context)
    message = f"{ERROR_CODE} LaTeX lỗi: {error.message}"
    if error.context:
        message += f" tại `{culprit(error.context)}`"
    return f"{path}:{line}: {message} (nhật ký: {log_path})"
