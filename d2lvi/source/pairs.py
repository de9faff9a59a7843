"""Find the bilingual pairs of a chapter: each English original and its translation.

The source convention (inherited from d2l-vn): inside a ``Phần`` (part) region, every
English block stays in a multi-line HTML comment, immediately followed by its
Vietnamese translation::

    <!--
    English paragraph
    -->

    Vietnamese paragraph

This module is the pure core every other tool builds on: text in, data out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

# The seed's part markers, e.g. "<!-- ===== Bắt đầu dịch Phần 1 ===== -->". Some templates
# (chapter roots) have a single unnumbered part: "<!-- ===== Bắt đầu dịch  ===== -->".
PART_START = re.compile(r"<!--\s*=+\s*Bắt đầu dịch(?:\s+Phần\s+(\d+))?\s*=+\s*-->")
PART_END = re.compile(r"<!--\s*=+\s*Kết thúc dịch(?:\s+Phần\s+(\d+))?\s*=+\s*-->")
# Any other "<!-- ==== ... ==== -->" line is a marker too (e.g. REVISE), never English.
MARKER = re.compile(r"^<!--\s*=+.*=+\s*-->$")
# A translation still waiting: "*dịch đoạn phía trên*", "*dịch tiêu đề phía trên*", ...
PLACEHOLDER = re.compile(r"\*dịch [^*]*phía trên\*")
# MyST target line, e.g. "(sec_transposed_conv)=".
TARGET = re.compile(r"^\(([^()\s]+)\)=\s*$")


@dataclass(frozen=True)
class Block:
    """A top-level Markdown block: its kind and 1-based inclusive line span."""

    kind: str  # heading, paragraph, list, figure, code, math, comment, target, other
    start: int
    end: int
    text: str
    level: int = 0  # heading level, 0 otherwise


@dataclass(frozen=True)
class Pair:
    """An English original (from its comment) and the blocks translating it."""

    part: int
    en: str
    en_start: int  # line of "<!--"
    en_end: int  # line of "-->"
    vi_blocks: tuple[Block, ...] = field(default=())

    @property
    def vi(self) -> str:
        """The translation's text (empty when there is none)."""
        return "\n\n".join(b.text for b in self.vi_blocks)

    @property
    def vi_start(self) -> int | None:
        """First line of the translation, if any."""
        return self.vi_blocks[0].start if self.vi_blocks else None

    @property
    def vi_end(self) -> int | None:
        """Last line of the translation, if any."""
        return self.vi_blocks[-1].end if self.vi_blocks else None

    @property
    def is_heading(self) -> bool:
        """Whether the English original is a heading."""
        return self.en.lstrip().startswith("#")

    @property
    def untranslated(self) -> bool:
        """Whether the translation is missing or still a placeholder."""
        return not self.vi.strip() or bool(PLACEHOLDER.search(self.vi))


@dataclass(frozen=True)
class Chapter:
    """A parsed chapter: its blocks, pairs and code cells."""

    lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    pairs: tuple[Pair, ...]
    parts: tuple[int, ...]


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The Markdown parser used by every tool: CommonMark with MyST's block syntax.

    Front matter, colon fences and display math (``$$…$$``, possibly with blank lines inside,
    and amsmath environments) as MyST parses them, so a formula is one block.
    """
    return (MarkdownIt("commonmark").use(front_matter_plugin).use(colon_fence_plugin)
            .use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=True,
                 double_inline=True)
            .use(amsmath_plugin))


def _kind(token: Token, text: str) -> tuple[str, int]:
    """Classify a top-level opening token."""
    if token.type == "heading_open":
        return "heading", int(token.tag[1])
    if token.type in ("bullet_list_open", "ordered_list_open"):
        return "list", 0
    if token.type == "fence":
        return "code", 0
    if token.type == "colon_fence":
        return ("figure" if token.info.strip().startswith("{figure}") else "other"), 0
    if token.type == "html_block":
        return ("comment" if text.lstrip().startswith("<!--") else "html"), 0
    if token.type == "paragraph_open":
        if TARGET.match(text.strip()):
            return "target", 0
        if text.lstrip().startswith("!["):
            return "figure", 0
        return "paragraph", 0
    if token.type == "front_matter":
        return "front_matter", 0
    if token.type in ("math_block", "math_block_label", "amsmath"):
        return "math", 0
    return "other", 0


def blocks_of(text: str) -> tuple[Block, ...]:
    """Split Markdown text into its top-level blocks with 1-based line spans."""
    lines = text.split("\n")
    blocks = []
    for token in markdown_parser().parse(text):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        # markdown-it counts a trailing blank line into some blocks; trim it.
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        body = "\n".join(lines[start:end])
        kind, level = _kind(token, body)
        # A MyST target "(x)=" directly followed by a heading parses as one paragraph
        # in CommonMark only when no blank line separates them; keep it as target.
        blocks.append(Block(kind, start + 1, end, body, level))
    return tuple(blocks)


def _is_english(block: Block) -> bool:
    """Whether a comment block holds an English original (not a marker)."""
    text = block.text.strip()
    return (
        block.kind == "comment"
        and text.startswith("<!--\n")
        and text.endswith("\n-->")
        and not MARKER.match(text)
    )


def _comment_body(block: Block) -> str:
    """The text between "<!--" and "-->"."""
    return block.text.strip()[len("<!--\n") : -len("\n-->")]


def part_markers(blocks: tuple[Block, ...]) -> list[tuple[Block, str, int]]:
    """Every part marker as (block, "start" or "end", part number); unnumbered parts count on."""
    out: list[tuple[Block, str, int]] = []
    current = 0
    for block in blocks:
        if block.kind != "comment":
            continue
        if m := PART_START.match(block.text.strip()):
            current = int(m[1]) if m[1] else max([n for _, _, n in out], default=0) + 1
            out.append((block, "start", current))
        elif m := PART_END.match(block.text.strip()):
            out.append((block, "end", int(m[1]) if m[1] else current))
    return out


def parse(text: str) -> Chapter:
    """Parse a chapter into blocks, parts and English/Vietnamese pairs."""
    blocks = blocks_of(text)
    markers = {block.start: (kind, number) for block, kind, number in part_markers(blocks)}
    pairs: list[Pair] = []
    parts: list[int] = []
    part = 0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if block.start in markers and block.kind == "comment":
            kind, number = markers[block.start]
            part = number if kind == "start" else 0
            parts += [number] if kind == "start" else []
            continue
        if not (part and _is_english(block)):
            continue
        english = _comment_body(block)
        translation: list[Block] = []
        heading = english.lstrip().startswith("#")
        # Display math between pairs belongs to both languages (d2l-vn keeps it outside).
        while i < len(blocks) and blocks[i].kind not in ("comment", "html", "code", "math"):
            nxt = blocks[i]
            if nxt.kind == "heading" and (translation and not heading):
                break
            if heading and nxt.kind not in ("heading", "target"):
                break
            translation.append(nxt)
            i += 1
            if nxt.kind == "heading":
                break
        pairs.append(Pair(part, english, block.start, block.end, tuple(translation)))
    return Chapter(tuple(text.split("\n")), blocks, tuple(pairs), tuple(parts))
