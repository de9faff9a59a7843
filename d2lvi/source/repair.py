"""Two repairs a careful maintainer makes to a d2l-vn template before it enters the book.

* An unclosed ``<!--`` (a slip of the d2l-vn templates: the comment then runs on to the next
  ``-->``, swallowing the next English block) is closed where the next block starts, when
  that is unambiguous: the next block is a comment (``<!--`` line), a placeholder or a code
  fence, and the text between is one paragraph (no blank line in it). Otherwise the English
  could end anywhere, and the comment is left for the contributor.
* d2l's retired discussion QR images (``![](../img/qr_NAME.svg)``, whose files d2l no longer
  has) are dropped, as d2l itself did: the section keeps only its discussion link.

Both keep the line numbers of the source where they can (a dropped block becomes blank
lines, ``-->`` replaces the blank line after the paragraph), so every other message still
points to the contributor's file; both are deterministic and idempotent, so an upstream and
its repaired copy give the same English.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from d2lvi.source.d2l import FIGURE_LINE, LABEL_LINE, WIDTH_LINE
from d2lvi.source.pairs import PLACEHOLDER, blocks_of, markdown_parser

# d2l 0.x showed a QR code of the section's forum thread: img/qr_<section>.svg.
QR_IMAGE = re.compile(r"^qr_[\w.-]+\.svg$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Note:
    """Something a repair did (or could not do) at a 1-based line of the source."""

    line: int
    message: str


@dataclass
class Repaired:
    """The repaired text, what was repaired, and what could not be."""

    text: str
    notes: list[Note] = field(default_factory=list)
    ambiguous: list[Note] = field(default_factory=list)


def _broken_comment(text: str, after: int) -> tuple[int, int] | None:
    """The first comment opening at or after line index ``after`` that is not closed before
    another ``<!--`` (or at all): its opening line index and the end of its parsed span."""
    for token in markdown_parser().parse(text):
        if token.type != "html_block" or token.map is None or token.map[0] < after:
            continue
        if not token.content.lstrip().startswith("<!--"):
            continue
        body = token.content.split("\n")
        if "-->" not in token.content or any(ln.lstrip().startswith("<!--") for ln in body[1:]):
            return token.map[0], token.map[1]
    return None


def _next_block(lines: list[str], opening: int) -> int | None:
    """The index of the line after ``opening`` where the next block starts, if any."""
    for k in range(opening + 1, len(lines)):
        line = lines[k]
        if line.lstrip().startswith("<!--") or PLACEHOLDER.search(line) or FENCE.match(line):
            return k
    return None


def close_comments(text: str) -> Repaired:
    """Close every unambiguous unclosed comment before the next block; report the rest."""
    lines = text.split("\n")
    result = Repaired(text)
    inserted = 0  # lines added so far, all above the current comment
    after = 0
    while (broken := _broken_comment("\n".join(lines), after)) is not None:
        opening, span_end = broken
        source_line = opening + 1 - inserted
        boundary = _next_block(lines, opening)
        body = lines[opening + 1:boundary] if boundary is not None else []
        while body and not body[-1].strip():
            body.pop()
        why = ("nó chạy tới cuối tệp (runs to the end of the file)" if boundary is None
               else "không có đoạn nào trước khối kế tiếp (empty comment)" if not body
               else "có nhiều đoạn trước khối kế tiếp, không rõ bản gốc tiếng Anh kết thúc ở "
                    "đâu (several paragraphs)" if any(not ln.strip() for ln in body) else None)
        if why is not None:
            result.ambiguous.append(Note(source_line, why))
            after = max(span_end, opening + 1)
            continue
        close = opening + 1 + len(body)
        boundary_line = boundary + 1 - inserted
        if close < boundary:  # the blank line after the paragraph becomes its "-->"
            lines[close] = "-->"
        else:
            lines.insert(close, "-->")
            inserted += 1
        result.notes.append(Note(source_line, "đã đóng chú thích `<!--` chưa đóng (repaired "
                                 f"unclosed comment) trước dòng {boundary_line}"))
        after = opening + 1
    result.text = "\n".join(lines)
    return result


def _qr_ref(lines: list[str]) -> str | None:
    """The QR image a block shows, when the block is only that image (and its options)."""
    m = FIGURE_LINE.match(lines[0].strip()) if lines else None
    rest = lines[1:]
    if m is None or not all(LABEL_LINE.match(ln) or WIDTH_LINE.match(ln) for ln in rest):
        return None
    return m["src"] if QR_IMAGE.match(posixpath.basename(m["src"])) else None


def drop_retired_qr(text: str) -> Repaired:
    """Blank every block that is only a retired discussion QR image (English or not)."""
    lines = text.split("\n")
    result = Repaired(text)
    for block in blocks_of(text):
        body = block.text.strip().split("\n")
        if block.kind == "comment" and body[0].strip() == "<!--" and body[-1].strip() == "-->":
            body = [ln.strip() for ln in body[1:-1] if ln.strip()]
        elif block.kind not in ("figure", "paragraph"):
            continue
        if (ref := _qr_ref(body)) is None:
            continue
        lines[block.start - 1:block.end] = [""] * (block.end - block.start + 1)
        result.notes.append(Note(block.start, f"bỏ ảnh mã QR thảo luận {ref} (retired "
                                 "discussion QR image): d2l đã bỏ hình này, chỉ giữ liên kết "
                                 "thảo luận"))
    result.text = "\n".join(lines)
    return result


def repaired(text: str) -> Repaired:
    """Both repairs: unclosed comments closed, then retired QR images dropped."""
    closed = close_comments(text)
    dropped = drop_retired_qr(closed.text)
    return Repaired(dropped.text, closed.notes + dropped.notes, closed.ambiguous)
