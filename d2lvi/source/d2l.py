"""d2l's Markdown dialect (d2lbook): code cells, framework tabs, labels, figures, images.

Pure helpers shared by the template conversion (``template``), the plain-section conversion
(``plain``) and the checker's comparison with the pinned upstream.
"""

from __future__ import annotations

import posixpath
import re

# d2lbook's code cell: ```{.python .input}, ```{.python .input  n=3}, ```{.python .input  #@tab all}
CODE_INFO = re.compile(r"^\{\.python\s+\.input\b[^}]*\}$")
# Stored outputs of d2l 0.x notebooks (```{.json .output n=1}): not code, dropped on import.
OUTPUT_INFO = re.compile(r"^\{\.\w+\s+\.output\b[^}]*\}$")
TAB_LINE = re.compile(r"^#@tab\s+(?P<frameworks>.+?)\s*$")
BEGIN_TAB = re.compile(r"^:begin_tab:`(?P<frameworks>[^`]+)`\s*$")
END_TAB = re.compile(r"^:end_tab:\s*$")
LABEL_LINE = re.compile(r"^:label:`(?P<label>[^`]+)`\s*$")
EQLABEL_LINE = re.compile(r"^:eqlabel:`(?P<label>[^`]+)`\s*$")
WIDTH_LINE = re.compile(r"^:width:`(?P<width>[^`]+)`\s*$")
FIGURE_LINE = re.compile(r"^!\[(?P<caption>.*)\]\((?P<src>[^)\s]+)\)\s*$")
IMAGE = re.compile(r"!\[[^\]\n]*\]\((?P<md>[^)\s]+)\)"
                   r"|<img\b[^>]*?\bsrc=[\"'](?P<html>[^\"']+)[\"']")
ROLE = re.compile(r":(?P<role>numref|cite|eqref|ref):`(?P<target>[^`]+)`")
FRAMEWORK = "mxnet"  # the book's framework: the tab d2l-vn translated


def frameworks(spec: str) -> set[str]:
    """The frameworks a ``#@tab``/``:begin_tab:`` names ("all" stands for every one)."""
    return {f.strip().lower() for f in spec.split(",") if f.strip()}


def code_runs_here(code: str) -> bool:
    """Whether a d2l code cell belongs to the book's framework (no ``#@tab`` means MXNet)."""
    first = next((line for line in code.split("\n") if line.strip()), "")
    m = TAB_LINE.match(first.strip())
    return m is None or bool(frameworks(m["frameworks"]) & {FRAMEWORK, "all"})


def strip_other_tabs(text: str) -> str:
    """Drop ``:begin_tab:`` regions of other frameworks and the markers of the book's own.

    The lines of a dropped region become blank, so line numbers stay those of the source.
    """
    lines = text.split("\n")
    keep: bool | None = None  # None: outside every tab region
    for k, line in enumerate(lines):
        if m := BEGIN_TAB.match(line.strip()):
            keep = bool(frameworks(m["frameworks"]) & {FRAMEWORK, "all"})
            lines[k] = ""
        elif END_TAB.match(line.strip()) and keep is not None:
            keep, lines[k] = None, ""
        elif keep is False:
            lines[k] = ""
    return "\n".join(lines)


def fence_info(block_text: str) -> str:
    """The info string of a fenced block's opening line (``{.python .input}``, ``toc``...)."""
    return block_text.split("\n", 1)[0].strip().lstrip("`~").strip()


def fence_body(block_text: str) -> str:
    """The lines between a fenced block's opening and closing fences."""
    lines = block_text.split("\n")
    closed = len(lines) > 1 and re.match(r"^\s*(`{3,}|~{3,})\s*$", lines[-1])
    return "\n".join(lines[1:-1] if closed else lines[1:])


def role_to_myst(text: str) -> str:
    """d2l roles as MyST roles: ``:numref:`x``` → ``{numref}`x```, ``:cite:`` → ``{cite:p}``."""
    names = {"numref": "numref", "cite": "cite:p", "eqref": "eq", "ref": "ref"}
    return ROLE.sub(lambda m: "{" + names[m["role"]] + "}`" + m["target"] + "`", text)


def image_refs(text: str) -> list[tuple[int, str]]:
    """Every local image a text references, as (1-based line, reference); URLs left out."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        for m in IMAGE.finditer(line):
            ref = m["md"] or m["html"]
            if not re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I):
                out.append((number, ref))
    return out


def resolve(folder: str, ref: str) -> str | None:
    """A reference resolved against a book-relative folder; None when it leaves the book."""
    path = posixpath.normpath(posixpath.join(folder, ref.split("#")[0]))
    return None if path.startswith("../") or path == ".." or path.startswith("/") else path
