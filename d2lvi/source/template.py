"""A d2l-vn translation template as a MyST chapter in the project's convention.

The English originals (HTML comments) and the part markers are kept byte for byte; the
placeholders stay, as untranslated blocks; what is outside the comments is rewritten from
d2l's dialect to MyST: code cells (adapted to the pinned d2l, other frameworks' tabs dropped),
labels as targets or figure names, figures as ``{figure}`` directives, equation labels,
roles, and the chapter's ``toc`` block as ``{tableofcontents}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from d2lvi.source.adapt import Adaptation, adapt
from d2lvi.source.d2l import (
    CODE_INFO,
    EQLABEL_LINE,
    FIGURE_LINE,
    LABEL_LINE,
    OUTPUT_INFO,
    WIDTH_LINE,
    code_runs_here,
    fence_body,
    fence_info,
    role_to_myst,
    strip_other_tabs,
)
from d2lvi.source.pairs import Block, blocks_of

FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---
"""


@dataclass
class Converted:
    """The MyST chapter and what the conversion did to the code."""

    text: str
    adapted: list[tuple[int, Adaptation]] = field(default_factory=list)  # (template line, cell)
    dropped: list[tuple[int, str]] = field(default_factory=list)  # (template line, why)


@dataclass
class _Out:
    """An emitted block: its kind and lines (labels may still be attached to it)."""

    kind: str
    lines: list[str]


def _figure(lines: list[str]) -> list[str] | None:
    """A d2l figure paragraph (image line, then ``:width:``/``:label:`` lines) as a directive."""
    m = FIGURE_LINE.match(lines[0])
    rest = lines[1:]
    if not m or not all(LABEL_LINE.match(ln) or WIDTH_LINE.match(ln) for ln in rest):
        return None
    options = [f":name: {LABEL_LINE.match(ln)['label']}" for ln in rest if LABEL_LINE.match(ln)]
    options += [f":width: {WIDTH_LINE.match(ln)['width']}" for ln in rest if WIDTH_LINE.match(ln)]
    return [f":::{{figure}} {m['src']}", *options, "", role_to_myst(m["caption"]), ":::"]


def _attach_labels(labels: list[str], out: list[_Out]) -> None:
    """Give the labels of a label-only paragraph to the block before it."""
    target = out[-1] if out else None
    if target is not None and target.kind == "figure":
        target.lines[1:1] = [f":name: {label}" for label in labels]
    elif target is not None and target.kind == "math" and len(labels) == 1:
        target.lines[-1] = f"{target.lines[-1].rstrip()} ({labels[0]})"
    elif target is not None:
        target.lines[0:0] = [f"({label})=" for label in labels]
    else:
        out.append(_Out("target", [f"({label})=" for label in labels]))


def _code(block: Block, result: Converted, out: list[_Out]) -> None:
    """A fenced block: d2l code cells become MyST code cells; toc and outputs are rewritten."""
    info = fence_info(block.text)
    body = fence_body(block.text)
    if OUTPUT_INFO.match(info):
        result.dropped.append((block.start, "đầu ra lưu sẵn của d2l 0.x (stored output)"))
    elif CODE_INFO.match(info):
        if not code_runs_here(body):
            result.dropped.append((block.start, "ô mã của framework khác (other framework tab)"))
            return
        cell = adapt(body)
        if cell.changed:
            result.adapted.append((block.start, cell))
        out.append(_Out("code", ["```{code-cell} ipython3", *cell.after.split("\n"), "```"]))
    elif info == "toc":
        out.append(_Out("toc", ["```{tableofcontents}", "```"]))
    else:
        out.append(_Out("other", block.text.split("\n")))


def to_myst(template: str) -> Converted:
    """Convert a template (or a translated d2l-vn file) into the project's MyST chapter."""
    text = strip_other_tabs(template.replace("\r\n", "\n"))
    result = Converted("")
    out: list[_Out] = []
    gaps: list[int] = []  # blank lines before each emitted block, as in the template
    previous_end = 0
    for block in blocks_of(text):
        before = len(out)
        lines = block.text.split("\n")
        if block.kind == "front_matter":
            continue
        if block.kind == "code":
            _code(block, result, out)
        elif block.kind == "paragraph" and all(LABEL_LINE.match(ln) for ln in lines):
            _attach_labels([LABEL_LINE.match(ln)["label"] for ln in lines], out)
        elif block.kind == "paragraph" and EQLABEL_LINE.match(lines[0]) and out \
                and out[-1].kind == "math":
            label = EQLABEL_LINE.match(lines[0])["label"]
            out[-1].lines[-1] = f"{out[-1].lines[-1].rstrip()} ({label})"
        elif block.kind == "figure" and (figure := _figure(lines)) is not None:
            out.append(_Out("figure", figure))
        elif block.kind in ("comment", "html", "math"):
            out.append(_Out(block.kind, lines))
        else:
            out.append(_Out(block.kind, role_to_myst(block.text).split("\n")))
        if len(out) > before:
            gaps.append(min(max(block.start - 1 - previous_end, 1), 3) if before else 0)
        previous_end = block.end
    parts = [FRONT_MATTER]
    for gap, emitted in zip(gaps, out, strict=True):
        parts.append("\n" * gap + "\n".join(emitted.lines))
    result.text = "\n".join(parts).rstrip("\n") + "\n"
    return result
