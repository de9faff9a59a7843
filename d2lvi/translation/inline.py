"""Inline syntax of a block: roles, inline code, math, and the prose left around them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from d2lvi.source.pairs import (
    Pair,
)

ROLE_MYST = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<tick>`+)(?P<body>.+?)(?P=tick)", re.S)


ROLE_D2L = re.compile(r"(?<![\w`]):(?P<name>[A-Za-z][\w.+-]*):(?P<tick>`+)(?P<body>.+?)(?P=tick)",
                      re.S)


CODE = re.compile(r"(?<!`)(?P<tick>`+)(?!`)(?P<body>.+?)(?<!`)(?P=tick)(?!`)", re.S)


MATH_DISPLAY = re.compile(r"(?<!\\)\$\$(?P<body>.+?)(?<!\\)\$\$", re.S)


MATH_INLINE = re.compile(
    r"(?<![\\$])\$(?![\s$])(?P<body>(?:\\.|[^$\\\n]|\n(?![ \t]*\n))+?)(?<![\s\\])\$(?!\$)")


URL = re.compile(r"\]\([^)\n]*\)|<https?://[^>\n]*>|https?://[^\s)>]+")


TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|</?[A-Za-z][^>\n]*>", re.I | re.S)


# Italics mark English terms in a translation ("tích chập chuyển vị (*transposed convolution*)").
ITALIC = re.compile(r"(?<![*\w])\*(?![\s*])[^*\n]+?(?<![\s*])\*(?![*\w])"
                    r"|(?<![_\w])_(?![\s_])[^_\n]+?(?<![\s_])_(?![_\w])")


# MyST syntax lines that hold no prose: comments, targets, directive fences, options.
MYST_COMMENT = re.compile(r"^%.*$", re.M)


TARGET_LINE = re.compile(r"^\(([^()\s]+)\)=\s*$", re.M)


FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}|:{3,}).*$", re.M)


OPTION = re.compile(r"^:(?P<key>[\w-]+):(?P<value>.*)$", re.M)


PROSE_OPTIONS = ("alt",)  # directive options whose value is Vietnamese prose


NOQA = re.compile(r"^%\s*d2lvi:\s*noqa\b(?P<codes>.*)$", re.I)


# Words, hyphenated compounds included; tokens with digits or "_" are names, not prose.
WORD = re.compile(r"\w+(?:-\w+)*")


REF_ROLES = {"numref", "ref", "eqref", "eq", "doc"}


D2L_LABEL = re.compile(r":label:`([^`]+)`")


MYST_LABELS = re.compile(r"^\(([^()\s]+)\)=\s*$|^:(?:name|label):\s*(\S+)\s*$", re.M)


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank the given spans with spaces, keeping newlines so positions stay valid."""
    spans = list(spans)
    if not spans:
        return text  # most blocks have no role, code or math: no copy
    chars = list(text)
    for start, end in spans:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


@dataclass(frozen=True)
class Inline:
    """Roles, inline code and math of a text, and the text with all three blanked."""

    roles: tuple[tuple[str, str, str], ...]  # (syntax "myst"/"d2l", role name, body)
    code: tuple[str, ...]
    math: tuple[str, ...]
    masked: str


def scan(text: str) -> Inline:
    """Find roles first (they contain backticks), then inline code, then math."""
    roles = []
    for syntax, pattern in (("myst", ROLE_MYST), ("d2l", ROLE_D2L)):
        matches = list(pattern.finditer(text))
        roles += [(syntax, m["name"], m["body"].strip()) for m in matches]
        text = mask(text, (m.span() for m in matches))
    codes = list(CODE.finditer(text))
    text = mask(text, (m.span() for m in codes))
    maths = []
    for pattern in (MATH_DISPLAY, MATH_INLINE):
        matches = list(pattern.finditer(text))
        maths += [m["body"] for m in matches]
        text = mask(text, (m.span() for m in matches))
    code = tuple(m["body"].strip() or m["body"] for m in codes)
    return Inline(tuple(roles), code, tuple(maths), text)


def role_targets(inline: Inline, names: Callable[[str], bool], syntax: str | None = None
                 ) -> set[str]:
    """Targets of the roles whose name passes ``names`` ("text <target>" gives target)."""
    out = set()
    for kind, name, body in inline.roles:
        if (syntax and kind != syntax) or not names(name):
            continue
        if name.startswith("cite"):
            out |= {k.strip() for k in body.split(",") if k.strip()}
        else:
            m = re.search(r"<([^<>]+)>\s*$", body)
            out.add((m[1] if m else body).strip())
    return out


def is_ref(name: str) -> bool:
    """A cross-reference role."""
    return name in REF_ROLES


def is_cite(name: str) -> bool:
    """A citation role (``cite``, ``cite:p``, ``cite:t``...)."""
    return name == "cite" or name.startswith("cite:")


def fold(text: str) -> str:
    """Text for case-insensitive comparison of Vietnamese (NFC, casefolded)."""
    return unicodedata.normalize("NFC", text).casefold()


def position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    """1-based line and column of a character offset in a text starting at ``first_line``."""
    before = text[:offset]
    return first_line + before.count("\n"), offset - (before.rfind("\n") + 1) + 1


def vi_line(pair: Pair) -> int:
    """Where a translation starts, past a MyST target line such as "(label)="."""
    text_blocks = [b for b in pair.vi_blocks if b.kind != "target"]
    return text_blocks[0].start if text_blocks else pair.vi_start or pair.en_start


def prose(text: str) -> str:
    """The Vietnamese prose of a block: markup, math, code, URLs and English italics blanked."""
    spans = [m.span() for p in (MYST_COMMENT, TARGET_LINE, FENCE_LINE) for m in p.finditer(text)]
    for m in OPTION.finditer(text):  # ":alt: text" keeps its text; other options go
        spans.append((m.start(), m.start("value") if m["key"] in PROSE_OPTIONS else m.end()))
    text = scan(mask(text, spans)).masked
    for pattern in (URL, TAG, ITALIC):
        text = mask(text, (m.span() for m in pattern.finditer(text)))
    return text
