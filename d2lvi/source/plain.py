"""A plain d2l-en section (English only) as a d2l-vn translation template.

What the d2l-vn community did by hand: every English block goes into an HTML comment
followed by a placeholder; code cells, display math and labels stay outside; fixed headings
(Summary, Exercises) are pre-translated; the section is cut into ``Phần`` at its ``##``
headings. The English inside the comments is the section's, byte for byte; the other
frameworks' code cells and tab regions are left out (the book is MXNet's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from d2lvi.source.d2l import (
    CODE_INFO,
    EQLABEL_LINE,
    FIGURE_LINE,
    LABEL_LINE,
    WIDTH_LINE,
    code_runs_here,
    fence_body,
    fence_info,
    strip_other_tabs,
)
from d2lvi.source.pairs import Block, blocks_of

PARAGRAPH = "*dịch đoạn phía trên*"
TITLE = "*dịch tiêu đề phía trên*"
CAPTION = "*dịch chú thích ảnh phía trên*"
DISCUSSION = re.compile(r"^##\s*\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)\s*$")
FORUM_VI = "https://forum.machinelearningcoban.com/c/d2l"


def _start(part: int) -> str:
    """A part's opening marker."""
    return f"<!-- ===================== Bắt đầu dịch Phần {part} ===================== -->"


def _end(part: int) -> str:
    """A part's closing marker."""
    return f"<!-- ===================== Kết thúc dịch Phần {part} ===================== -->"


def _comment(text: str) -> str:
    """An English original as the template keeps it."""
    return f"<!--\n{text}\n-->"


def _heading(block: Block, headings: Mapping[str, str]) -> str:
    """A heading's English and its placeholder; a fixed heading comes pre-translated."""
    title = block.text.lstrip("#").strip()
    if (fixed := headings.get(title.casefold())) is not None:
        return f"{'#' * block.level} {fixed}"
    return f"{_comment(block.text)}\n\n{'#' * block.level} {TITLE}"


def _figure(block: Block) -> str | None:
    """A figure paragraph: the English image line in a comment, the caption placeholder after."""
    lines = block.text.split("\n")
    m = FIGURE_LINE.match(lines[0])
    if not m or not all(LABEL_LINE.match(ln) or WIDTH_LINE.match(ln) for ln in lines[1:]):
        return None
    return "\n".join([_comment(lines[0]), "", f"![{CAPTION}]({m['src']})", *lines[1:]])


def _discussion(block: Block, headings: Mapping[str, str]) -> str | None:
    """d2l's closing link to its forum (a heading or a paragraph) with the Vietnamese forum."""
    m = DISCUSSION.match(block.text.strip() if block.kind == "heading"
                         else "## " + block.text.strip())
    if m is None or block.kind not in ("heading", "paragraph"):
        return None
    title = headings.get(m["title"].casefold(), m["title"])
    return f"## {title}\n* [Tiếng Anh]({m['url']})\n* [Tiếng Việt]({FORUM_VI})"


def to_template(text: str, headings: Mapping[str, str]) -> str:
    """Make the translation template of a plain d2l section.

    ``headings`` maps fixed English headings (casefolded: "summary") to their Vietnamese;
    they stay in the part before them, as in the d2l-vn templates.
    """
    text = strip_other_tabs(text.replace("\r\n", "\n"))
    out: list[str] = []
    part = 0
    for block in blocks_of(text):
        lines = block.text.split("\n")
        if (discussion := _discussion(block, headings)) is not None:
            if part > 0:
                out.append(_end(part))
                part = -part  # nothing after the forum link is translated
            out.append(discussion)
            continue
        fixed = block.kind == "heading" and block.text.lstrip("#").strip().casefold() in headings
        if block.kind == "heading" and not fixed and (part == 0 or block.level == 2) \
                and part >= 0:
            if part:
                out.append(_end(part))
            part += 1
            out.append(_start(part))
        if block.kind == "code":
            info = fence_info(block.text)
            if CODE_INFO.match(info) and not code_runs_here(fence_body(block.text)):
                continue
            out.append(block.text)
        elif block.kind == "heading":
            out.append(_heading(block, headings))
        elif block.kind == "paragraph" and out and all(
                LABEL_LINE.match(ln) or EQLABEL_LINE.match(ln) for ln in lines):
            out[-1] += "\n" + block.text  # right after the placeholder, as in the templates
        elif block.kind == "figure" and (figure := _figure(block)) is not None:
            out.append(figure)
        elif block.kind in ("math", "comment", "html", "target"):
            out.append(block.text)
        else:
            out.append(f"{_comment(block.text)}\n\n{PARAGRAPH}")
    if part > 0:
        out.append(_end(part))
    return "\n\n".join(out) + "\n"
