"""The translation checker's core: a chapter's text (or bytes) in, sorted findings out.

The checker never rewrites a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from d2lvi.source.pairs import (
    PART_END,
    PART_START,
    Block,
    Chapter,
    markdown_parser,
    parse,
)
from d2lvi.source.repair import repaired
from d2lvi.translation.content import (
    avoided_terms,
    carried_over,
    heading_level,
    spelling,
    untranslated,
)
from d2lvi.translation.inline import NOQA, position
from d2lvi.translation.rules import Context, Finding
from d2lvi.translation.stale import english_blocks
from d2lvi.translation.syntax import (
    unclosed_comments,
    unclosed_fences,
    unexplained_skips,
    unsafe_html,
)
from d2lvi.translation.terms import glossary_terms
from d2lvi.translation.upstream import upstream_code, upstream_english, upstream_labels


def translation_blocks(chapter: Chapter) -> list[Block]:
    """Blocks a reader sees in Vietnamese: prose inside the Phần regions."""
    out, inside = [], False
    for block in chapter.blocks:
        if block.kind == "comment":
            if PART_START.match(block.text.strip()):
                inside = True
            elif PART_END.match(block.text.strip()):
                inside = False
            continue
        # Display math is not prose: its \begin{aligned} is no Vietnamese word.
        if inside and block.kind not in ("code", "html", "front_matter", "math"):
            out.append(block)
    return out


def noqa_scopes(lines: Sequence[str]) -> list[tuple[int, int, frozenset[str]]]:
    """``% d2lvi: noqa [CODES]`` lines: (first, last line, codes) up to the end of the block."""
    out = []
    for k, line in enumerate(lines):
        m = NOQA.match(line.strip())
        if not m:
            continue
        end = k + 1
        while end < len(lines) and not lines[end].strip():
            end += 1
        while end < len(lines) and lines[end].strip():
            end += 1
        out.append((k + 1, end, frozenset(re.findall(r"TR\d{3}", m["codes"].upper()))))
    return out


def suppressed(finding: Finding, scopes: Sequence[tuple[int, int, frozenset[str]]]) -> bool:
    """Whether a noqa line covers the finding (no codes listed: every code)."""
    return any(first <= finding.line <= last and (not codes or finding.code in codes)
               for first, last, codes in scopes)


def check_text(text: str, ctx: Context) -> list[Finding]:
    """All findings for a chapter's text, sorted by position."""
    # NFC: an editor may save Vietnamese decomposed (NFD); rules compare composed text.
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if ctx.upstream is not None:  # an upstream is compared as the import repaired it
        ctx = replace(ctx, upstream=repaired(unicodedata.normalize("NFC", ctx.upstream)).text)
    lines = text.split("\n")
    tokens = markdown_parser().parse(text)
    structure = unclosed_comments(lines, tokens) + unclosed_fences(lines, tokens)
    # A broken comment or fence shifts everything after it: report it alone, like a
    # compiler's syntax error, instead of a cascade of follow-up findings.
    findings = structure if structure else _content(text, ctx)
    scopes = noqa_scopes(lines)
    return sorted({f for f in findings if f.code not in ctx.ignore and not suppressed(f, scopes)})


def _content(text: str, ctx: Context) -> list[Finding]:
    """The checks that need a well-formed chapter."""
    chapter = parse(text)
    findings = untranslated(chapter) + unexplained_skips(chapter)
    done = [p for p in chapter.pairs if not p.untranslated]
    for pair in done:
        findings += heading_level(pair) + carried_over(pair)
    findings += glossary_terms(done, ctx.glossary, ctx.path)
    blocks = translation_blocks(chapter)
    findings += avoided_terms(blocks, ctx.glossary)
    findings += unsafe_html(text, 1)
    for pair in chapter.pairs:  # the English is rendered too (render.py)
        findings += unsafe_html(pair.en, pair.en_start + 1)
    if ctx.upstream is not None:
        upstream = english_blocks(ctx.upstream, [e for e in ctx.glossary if e.heading])
        english, mapping = upstream_english(chapter, upstream)
        findings += english + upstream_code(chapter, parse(ctx.upstream))
        findings += upstream_labels(chapter, ctx.upstream, upstream, mapping)
    findings += spelling(blocks, ctx)
    return findings


def decode(data: bytes) -> tuple[str | None, Finding | None]:
    """UTF-8 text, or a TR003 finding at the first undecodable byte or NUL."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, Finding(line, col, "TR003",
                             f"tệp không phải văn bản UTF-8 (byte 0x{data[err.start]:02x})")
    if "\x00" in text:
        line, col = position(text, text.index("\x00"), 1)
        return None, Finding(line, col, "TR003", "tệp có byte NUL: đây là tệp nhị phân?")
    return text, None


def check_bytes(data: bytes, ctx: Context) -> list[Finding]:
    """Findings for a file's raw content (decoding problems included)."""
    text, problem = decode(data)
    return [problem] if problem else check_text(text or "", ctx)
