"""The translation checker: a pure core (text in, findings out) and a ruff-like CLI adapter.

Each finding is ``path:line:col: CODE message`` with 1-based positions; the messages are in
Vietnamese, for contributors. The checker never rewrites a file.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown_it.token import Token

from d2lvi.glossary import Entry, load_glossary
from d2lvi.pairs import (
    PART_END,
    PART_START,
    PLACEHOLDER,
    Block,
    Chapter,
    Pair,
    markdown_parser,
    parse,
)
from d2lvi.stale import EnglishBlock, align, english_blocks, normalize


@dataclass(frozen=True)
class Rule:
    """A checker code: readable name, severity and why it matters (for CONTRIBUTING)."""

    code: str
    name: str
    severity: str  # "error" or "warning"
    why: str


RULES = {r.code: r for r in (
    Rule("TR001", "untranslated-block", "error",
         "đoạn tiếng Anh chưa có bản dịch ngay sau nó"),
    Rule("TR002", "placeholder", "error", "còn chỗ giữ chỗ *dịch ... phía trên*"),
    Rule("TR003", "unreadable-file", "error", "tệp không phải văn bản UTF-8"),
    Rule("TR101", "english-changed", "error",
         "bản gốc tiếng Anh trong chú thích khác bản gốc đã ghim (i18n/upstream)"),
    Rule("TR102", "english-missing", "error", "thiếu một đoạn tiếng Anh của bản gốc"),
    Rule("TR103", "english-extra", "error", "có đoạn tiếng Anh không có trong bản gốc"),
    Rule("TR111", "code-changed", "error", "ô mã khác ô mã của bản gốc"),
    Rule("TR112", "code-missing", "error", "thiếu một ô mã của bản gốc"),
    Rule("TR113", "code-extra", "error", "có ô mã không có trong bản gốc"),
    Rule("TR201", "unclosed-comment", "error", "chú thích <!-- chưa được đóng bằng -->"),
    Rule("TR202", "unclosed-fence", "error", "khối mã ``` hoặc ::: chưa được đóng"),
    Rule("TR203", "heading-level", "error", "cấp tiêu đề bản dịch khác bản gốc"),
    Rule("TR204", "math-missing", "error", "bản dịch có ít công thức $…$ hơn bản gốc"),
    Rule("TR205", "inline-code-mismatch", "error", "tập mã nội dòng `…` khác bản gốc"),
    Rule("TR206", "label-missing", "error", "nhãn (label) của bản gốc không được định nghĩa"),
    Rule("TR207", "reference-missing", "error", "thiếu tham chiếu {numref} của bản gốc"),
    Rule("TR208", "citation-missing", "error", "thiếu trích dẫn {cite:p} của bản gốc"),
    Rule("TR301", "glossary-miss", "warning",
         "thuật ngữ trong bảng thuật ngữ không được dịch theo cách đã thống nhất"),
    Rule("TR302", "avoided-term", "error", "dùng một cách dịch sai đã biết (avoid)"),
    Rule("TR401", "unsafe-html", "error", "HTML nguy hiểm: <script>, <iframe>, on…=, javascript:"),
    Rule("TR501", "spelling", "warning", "từ không có trong từ điển hunspell-vi"),
)}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at a 1-based line and column."""

    line: int
    col: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        """"error" or "warning", from the rule."""
        return RULES[self.code].severity

    def format(self, path: str) -> str:
        """``path:line:col: CODE message``, like ruff."""
        prefix = "cảnh báo: " if self.severity == "warning" else ""
        return f"{path}:{self.line}:{self.col}: {self.code} {prefix}{self.message}"


SpellFunction = Callable[[Iterable[str]], set[str]]


@dataclass(frozen=True)
class Context:
    """What a chapter is checked against; every part is optional."""

    upstream: str | None = None
    glossary: Sequence[Entry] = ()
    wordlist: frozenset[str] = frozenset()
    spell: SpellFunction | None = None
    ignore: frozenset[str] = field(default_factory=frozenset)


# --- inline syntax ---------------------------------------------------------------------

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
# Unsafe raw HTML: executable elements, event handlers and javascript: URLs inside tags.
UNSAFE_HTML = re.compile(
    r"<\s*(?:script|iframe|style|object|embed)\b|<[^>]*?\son[a-z]+\s*=|<[^>]*?javascript\s*:",
    re.I | re.S)
D2L_LABEL = re.compile(r":label:`([^`]+)`")
MYST_LABELS = re.compile(r"^\(([^()\s]+)\)=\s*$|^:(?:name|label):\s*(\S+)\s*$", re.M)


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank the given spans with spaces, keeping newlines so positions stay valid."""
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


# --- structure -------------------------------------------------------------------------


def _block_tokens(tokens: Sequence[Token]) -> Iterable[Token]:
    """Tokens with a source map: block tokens at every nesting level (the stream is flat)."""
    yield from (t for t in tokens if t.map is not None)


def unclosed_comments(lines: Sequence[str], tokens: Sequence[Token]) -> list[Finding]:
    """``<!--`` without ``-->`` (markdown-it then runs the comment on) → its opening line."""
    out = []
    for token in _block_tokens(tokens):
        if token.type != "html_block" or not token.content.lstrip().startswith("<!--"):
            continue
        body = token.content.split("\n")
        nested = any(line.lstrip().startswith("<!--") for line in body[1:])
        if "-->" not in token.content or nested:
            start = token.map[0]
            col = lines[start].find("<!--") + 1 if start < len(lines) else 1
            out.append(Finding(start + 1, max(col, 1), "TR201",
                               "chú thích `<!--` không được đóng bằng `-->` (unclosed comment)"))
    return out


def unclosed_fences(lines: Sequence[str], tokens: Sequence[Token]) -> list[Finding]:
    """A code/colon fence with no closing line, or that swallows the next fence's opening."""
    out = []
    for token in _block_tokens(tokens):
        if token.type not in ("fence", "colon_fence") or not token.markup:
            continue
        start, end = token.map
        span = list(lines[start:end])
        while len(span) > 1 and not span[-1].strip():
            span.pop()
        char, size = token.markup[0], len(token.markup)
        closer = re.compile(rf"^\s*{re.escape(char)}{{{size},}}\s*$")
        opener = re.compile(rf"^\s*{re.escape(char)}{{{size},}}\s*[^\s{re.escape(char)}]")
        closed = len(span) > 1 and closer.match(span[-1])
        swallowed = next((k for k, line in enumerate(span[1:], 1) if opener.match(line)), None)
        if not closed or swallowed is not None:
            detail = (f"; dòng {start + swallowed + 1} mở một khối mới bên trong nó"
                      if swallowed is not None else "")
            col = lines[start].find(token.markup) + 1
            out.append(Finding(start + 1, max(col, 1), "TR202",
                               f"khối «{token.markup}» mở ở đây không được đóng (unbalanced "
                               f"fence){detail}"))
    return out


# --- pairs -----------------------------------------------------------------------------


def vi_line(pair: Pair) -> int:
    """Where a translation starts, past a MyST target line such as "(label)="."""
    text_blocks = [b for b in pair.vi_blocks if b.kind != "target"]
    return text_blocks[0].start if text_blocks else pair.vi_start or pair.en_start


def untranslated(chapter: Chapter) -> list[Finding]:
    """Placeholders left, and English comments with no translation after them."""
    out = []
    for pair in chapter.pairs:
        if not pair.vi.strip():
            out.append(Finding(pair.en_start, 1, "TR001",
                               "đoạn tiếng Anh này chưa có bản dịch ngay sau nó (untranslated)"))
    for block in chapter.blocks:  # what the reader sees: not comments, not code
        if block.kind in ("comment", "code", "front_matter"):
            continue
        for m in PLACEHOLDER.finditer(block.text):
            line, col = position(block.text, m.start(), block.start)
            out.append(Finding(line, col, "TR002",
                               f"còn chỗ giữ chỗ {m[0]} (placeholder): hãy dịch đoạn này"))
    return out


def heading_level(pair: Pair) -> list[Finding]:
    """The Vietnamese heading has the English heading's level."""
    en_level = len(pair.en.strip()) - len(pair.en.strip().lstrip("#")) if pair.is_heading else 0
    out = []
    for block in pair.vi_blocks:
        if block.kind == "heading" and block.level != en_level:
            english = f"cấp {en_level}" if en_level else "không phải tiêu đề"
            out.append(Finding(block.start, 1, "TR203",
                               f"tiêu đề bản dịch cấp {block.level} nhưng bản gốc {english} "
                               "(heading level)"))
    return out


def carried_over(pair: Pair) -> list[Finding]:
    """Math (by count), inline code (exact set), references and citations kept."""
    en, vi = scan(pair.en), scan(pair.vi)
    line = vi_line(pair)
    out = []
    if len(vi.math) < len(en.math):
        out.append(Finding(line, 1, "TR204",
                           f"thiếu công thức toán (math): bản gốc có {len(en.math)}, "
                           f"bản dịch có {len(vi.math)}"))
    missing = sorted(set(en.code) - set(vi.code))
    extra = sorted(set(vi.code) - set(en.code))
    if missing or extra:
        parts = ([f"thiếu {', '.join(f'`{c}`' for c in missing)}"] if missing else []) + (
            [f"thừa {', '.join(f'`{c}`' for c in extra)}"] if extra else [])
        out.append(Finding(line, 1, "TR205",
                           f"mã nội dòng (inline code) khác bản gốc: {'; '.join(parts)}"))
    for code, test, role, what in (("TR207", is_ref, "numref", "tham chiếu (reference)"),
                                   ("TR208", is_cite, "cite:p", "trích dẫn (citation)")):
        missing = sorted(role_targets(en, test) - role_targets(vi, test, "myst"))
        if missing:
            d2l_style = role_targets(vi, test, "d2l")
            hint = (" — bản dịch phải viết theo MyST: " + ", ".join(
                f"{{{role}}}`{t}`" for t in missing)) if d2l_style & set(missing) else ""
            out.append(Finding(line, 1, code,
                               f"thiếu {what} {', '.join(missing)} của bản gốc{hint}"))
    return out


def glossary_misses(pair: Pair, glossary: Sequence[Entry]) -> list[Finding]:
    """Each glossary term of the English has one of its renderings in the translation."""
    english = URL.sub(" ", scan(pair.en).masked)
    vi = fold(pair.vi)
    out = []
    for entry in glossary:
        if entry.heading or not entry.pattern.search(english):
            continue
        if not any(fold(v) in vi for v in entry.vi):
            wanted = " / ".join(f"«{v}»" for v in entry.vi)
            out.append(Finding(vi_line(pair), 1, "TR301",
                               f"bản gốc có «{entry.en}» nhưng bản dịch không có {wanted} "
                               "(glossary)"))
    return out


def avoided_terms(blocks: Sequence[Block], glossary: Sequence[Entry]) -> list[Finding]:
    """Known mistranslations anywhere in the translation, as whole words."""
    out = []
    for entry in glossary:
        for wrong in entry.avoid:
            pattern = re.compile(r"(?<!\w)" + re.escape(wrong) + r"(?!\w)", re.IGNORECASE)
            for block in blocks:
                for m in pattern.finditer(block.text):
                    line, col = position(block.text, m.start(), block.start)
                    right = " / ".join(f"«{v}»" for v in entry.vi)
                    out.append(Finding(line, col, "TR302",
                                       f"«{wrong}» là cách dịch sai của «{entry.en}»: dùng "
                                       f"{right}"))
    return out


def unsafe_html(text: str, first_line: int) -> list[Finding]:
    """Raw HTML that could run code (script, iframe, style, on…=, javascript:)."""
    lines = text.split("\n")
    out = []
    for token in markdown_parser().parse(text):
        if token.type == "html_block" and token.map:
            content = "\n".join(lines[token.map[0] : token.map[1]])
            # The English originals and markers are comments: only what is outside counts.
            hidden = [m.span() for m in re.finditer(r"<!--.*?(?:-->|\Z)", content, re.S)]
            for m in UNSAFE_HTML.finditer(mask(content, hidden)):
                line, col = position(content, m.start(), first_line + token.map[0])
                out.append(_unsafe(line, col, m[0]))
        elif token.type == "inline" and token.map:
            for child in token.children or []:
                if child.type == "html_inline" and UNSAFE_HTML.search(child.content):
                    for k in range(token.map[0], token.map[1]):
                        col = lines[k].find(child.content)
                        if col >= 0:
                            out.append(_unsafe(first_line + k, col + 1, child.content))
                            break
    return out


def _unsafe(line: int, col: int, snippet: str) -> Finding:
    """A TR401 finding."""
    shown = " ".join(snippet.split())[:40]
    return Finding(line, col, "TR401",
                   f"HTML không an toàn trong bản dịch: {shown} (chỉ được dùng Markdown/MyST)")


# --- upstream --------------------------------------------------------------------------


def _code_cells(chapter: Chapter, chapter_format: bool) -> list[tuple[Block, int, list[str]]]:
    """Code cells as (block, line of the first code line, code lines)."""
    out = []
    for block in chapter.blocks:
        if block.kind != "code":
            continue
        lines = block.text.split("\n")
        info = lines[0].strip().lstrip("`~").strip()
        if chapter_format != info.startswith("{code-cell}"):
            continue
        if not chapter_format and "python" not in info:
            continue
        body = lines[1:-1] if len(lines) > 1 else []
        skip = 0
        if chapter_format and body[:1] == ["---"]:  # MyST cell options as YAML
            skip = next((k + 1 for k, ln in enumerate(body[1:], 1) if ln == "---"), 0)
        while skip < len(body) and OPTION.match(body[skip]):
            skip += 1
        out.append((block, block.start + 1 + skip, body[skip:]))
    return out


def first_difference(old: str, new: str) -> tuple[int, int]:
    """0-based line and column of the first difference between two normalized texts."""
    a, b = normalize(old).split("\n"), normalize(new).split("\n")
    for k, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            col = next((c for c, (p, q) in enumerate(zip(x, y, strict=False)) if p != q),
                       min(len(x), len(y)))
            return k, col
    return min(len(a), len(b)), 0


def _part_ends(chapter: Chapter) -> dict[int, int]:
    """Line of each part's end marker (or of the last line)."""
    ends = {}
    for block in chapter.blocks:
        if block.kind == "comment" and (m := PART_END.match(block.text.strip())):
            ends[int(m[1])] = block.start
    return ends


def upstream_english(chapter: Chapter, upstream: Sequence[EnglishBlock]
                     ) -> tuple[list[Finding], dict[int, Pair]]:
    """English originals equal to the pinned upstream's; upstream block index → chapter pair.

    Blocks are matched by order and text within each Phần when the upstream has parts (the
    translation template), else over the whole chapter (a plain d2l file).
    """
    out = []
    mapping: dict[int, Pair] = {}
    ends = _part_ends(chapter)
    by_part = any(b.part for b in upstream)
    groups = sorted(set(chapter.parts) | {b.part for b in upstream}) if by_part else [None]
    for part in groups:
        mine = [p for p in chapter.pairs if part is None or p.part == part]
        theirs = [(k, b) for k, b in enumerate(upstream) if part is None or b.part == part]
        aligned = align([p.en for p in mine], [b.text for _, b in theirs])
        for n, (i, j) in enumerate(aligned):
            if i is not None and j is not None:
                pair, (k, original) = mine[i], theirs[j]
                mapping[k] = pair
                if normalize(pair.en) != normalize(original.text):
                    row, col = first_difference(pair.en, original.text)
                    out.append(Finding(pair.en_start + 1 + row, col + 1, "TR101",
                                       "bản gốc tiếng Anh bị sửa so với i18n/upstream (English "
                                       "changed): chỉ dịch, đừng sửa bản gốc"))
            elif i is not None:
                out.append(Finding(mine[i].en_start, 1, "TR103",
                                   "đoạn tiếng Anh này không có trong bản gốc (i18n/upstream)"))
            else:
                k, original = theirs[j]
                nxt = next((mine[a] for a, _ in aligned[n + 1 :] if a is not None), None)
                line = nxt.en_start if nxt else ends.get(original.part, len(chapter.lines))
                where = f" Phần {original.part}" if original.part else ""
                excerpt = original.text.strip().split("\n")[0][:60]
                out.append(Finding(line, 1, "TR102",
                                   f"thiếu đoạn tiếng Anh của bản gốc{where}: «{excerpt}»"))
    return out, mapping


def upstream_code(chapter: Chapter, upstream: Chapter) -> list[Finding]:
    """Code cells equal to the pinned upstream's, in order (fences differ: d2l vs MyST)."""
    mine = _code_cells(chapter, True)
    theirs = _code_cells(upstream, False)
    aligned = align(["\n".join(c[2]) for c in mine], ["\n".join(c[2]) for c in theirs])
    out = []
    for n, (i, j) in enumerate(aligned):
        if i is not None and j is not None:
            a, b = "\n".join(mine[i][2]), "\n".join(theirs[j][2])
            if normalize(a) != normalize(b):
                row, col = first_difference(a, b)
                # normalize() dropped the cell's leading blank lines: count them back.
                lead = next((k for k, ln in enumerate(mine[i][2]) if ln.strip()), 0)
                out.append(Finding(mine[i][1] + lead + row, col + 1, "TR111",
                                   "ô mã khác ô mã của bản gốc (code changed): chỉ dịch văn "
                                   "bản, giữ nguyên mã"))
        elif i is not None:
            out.append(Finding(mine[i][0].start, 1, "TR113",
                               "ô mã này không có trong bản gốc (extra code cell)"))
        else:
            nxt = next((mine[a][0] for a, _ in aligned[n + 1 :] if a is not None), None)
            first = next((ln for ln in theirs[j][2] if ln.strip()), "")
            out.append(Finding(nxt.start if nxt else len(chapter.lines), 1, "TR112",
                               f"thiếu ô mã của bản gốc (missing code cell): «{first.strip()}»"))
    return out


def upstream_labels(chapter: Chapter, upstream_text: str, upstream: Sequence[EnglishBlock],
                    mapping: dict[int, Pair]) -> list[Finding]:
    """Every ``:label:`` of the upstream (or of an English original) is defined in MyST."""
    text = "\n".join(chapter.lines)
    defined = {a or b for a, b in MYST_LABELS.findall(text)}
    wanted: dict[str, int] = {}
    for number, line in enumerate(upstream_text.split("\n"), 1):
        for label in D2L_LABEL.findall(line):
            # A label belongs to the English block just before it (heading or figure).
            owner = [k for k, b in enumerate(upstream) if b.line <= number]
            pair = mapping.get(owner[-1]) if owner else None
            wanted.setdefault(label, vi_line(pair) if pair else 1)
    for pair in chapter.pairs:
        for label in D2L_LABEL.findall(pair.en):
            wanted.setdefault(label, vi_line(pair))
    return [Finding(line, 1, "TR206",
                    f"nhãn (label) {label} của bản gốc không được định nghĩa: thêm `({label})=` "
                    "trước tiêu đề hoặc `:name: " + label + "` trong hình")
            for label, line in sorted(wanted.items(), key=lambda kv: kv[1])
            if label not in defined]


# --- spelling --------------------------------------------------------------------------


def prose(text: str) -> str:
    """The Vietnamese prose of a block: markup, math, code, URLs and English italics blanked."""
    spans = [m.span() for p in (MYST_COMMENT, TARGET_LINE, FENCE_LINE) for m in p.finditer(text)]
    for m in OPTION.finditer(text):  # ":alt: text" keeps its text; other options go
        spans.append((m.start(), m.start("value") if m["key"] in PROSE_OPTIONS else m.end()))
    text = scan(mask(text, spans)).masked
    for pattern in (URL, TAG, ITALIC):
        text = mask(text, (m.span() for m in pattern.finditer(text)))
    return text


def spelling(blocks: Sequence[Block], ctx: Context) -> list[Finding]:
    """Words hunspell-vi does not know, minus the project word list: one hunspell call."""
    if ctx.spell is None:
        return []
    occurrences = []
    for block in blocks:
        text = prose(block.text)
        for m in WORD.finditer(text):
            word = unicodedata.normalize("NFC", m[0])
            if fold(word) in ctx.wordlist or re.search(r"[\d_]", word):
                continue
            # Syllables of a compound ("nơ-ron") are checked one by one unless listed whole.
            for part in re.finditer(r"[^-]+", m[0]):
                if fold(part[0]) not in ctx.wordlist:
                    occurrences.append((part[0], *position(text, m.start() + part.start(),
                                                           block.start)))
    unknown = ctx.spell({w for w, _, _ in occurrences})
    return [Finding(line, col, "TR501", f"«{word}» không có trong từ điển tiếng Việt (spelling)"
                    "; nếu đúng, thêm vào i18n/wordlist.txt")
            for word, line, col in occurrences if unicodedata.normalize("NFC", word) in unknown]


# --- the whole chapter -----------------------------------------------------------------


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
        if inside and block.kind not in ("code", "html", "front_matter"):
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
    if ctx.upstream is not None:
        ctx = replace(ctx, upstream=unicodedata.normalize("NFC", ctx.upstream))
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
    findings = untranslated(chapter)
    done = [p for p in chapter.pairs if not p.untranslated]
    for pair in done:
        findings += heading_level(pair) + carried_over(pair) + glossary_misses(pair, ctx.glossary)
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


# --- command-line adapter --------------------------------------------------------------


class _Spell:
    """hunspell as a SpellFunction that remembers why it could not run."""

    def __init__(self, dictionary: str) -> None:
        """Use the named hunspell dictionary."""
        self.dictionary = dictionary
        self.missing: str | None = None

    def __call__(self, words: Iterable[str]) -> set[str]:
        """Unknown words; none (and a note) when hunspell is unavailable."""
        from d2lvi.spelling import SpellcheckerMissingError, unknown_words

        if self.missing:
            return set()
        try:
            return unknown_words(words, self.dictionary)
        except SpellcheckerMissingError as err:
            self.missing = str(err)
            return set()


def _read_optional(path: Path) -> str | None:
    """A UTF-8 file's text, or None when it does not exist."""
    return path.read_bytes().decode("utf-8") if path.exists() else None


def main(argv: list[str]) -> int:
    """``python -m d2lvi check [FILES...]``: 1 on errors, 0 when clean or warnings only."""
    from d2lvi.cli import chapters, project_config
    from d2lvi.spelling import load_wordlist
    from d2lvi.stale import pinned_upstream

    parser = argparse.ArgumentParser(
        prog="python -m d2lvi check",
        description="Kiểm tra bản dịch: in path:dòng:cột: MÃ thông báo.")
    parser.add_argument("files", nargs="*", help="chương (mặc định: chapters trong pyproject)")
    parser.add_argument("--upstream", help="bản gốc tiếng Anh để so (mặc định: i18n/upstream/…)")
    parser.add_argument("--ignore", default="", help="các mã bỏ qua, ví dụ TR001,TR002")
    parser.add_argument("--no-spelling", action="store_true", help="không chạy hunspell")
    ns = parser.parse_args(argv)
    config = project_config()
    spell = _Spell(str(config.get("hunspell_dictionary", "vi_VN")))
    ignore = frozenset(re.findall(r"TR\d{3}", ns.ignore.upper()))
    if ns.upstream and not Path(ns.upstream).is_file():
        print(f"lỗi: không có bản gốc {ns.upstream}", file=sys.stderr)
        return 2
    try:
        glossary_text = _read_optional(Path(config.get("glossary", "i18n/glossary.yml")))
        wordlist_text = _read_optional(Path(config.get("wordlist", "i18n/wordlist.txt")))
        base = Context(
            glossary=load_glossary(glossary_text) if glossary_text else (),
            wordlist=load_wordlist(wordlist_text or ""),
            spell=None if ns.no_spelling or "TR501" in ignore else spell,
            ignore=ignore,
        )
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: cấu hình của trình kiểm tra: {err}", file=sys.stderr)
        return 2
    errors = warnings = 0
    status = 0
    for path in chapters(ns.files):
        try:
            data = path.read_bytes()
            source = Path(ns.upstream) if ns.upstream else pinned_upstream(path, config)
            upstream = _read_optional(source)
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: lỗi: không đọc được tệp: {err}", file=sys.stderr)
            status = 2
            continue
        if upstream is None:
            print(f"{path}: lưu ý: không có bản gốc {source}; bỏ qua các kiểm tra so với bản "
                  "gốc (TR101–TR113, TR206)", file=sys.stderr)
        findings = check_bytes(data, replace(base, upstream=upstream))
        for finding in findings:
            print(finding.format(str(path)))
        errors += sum(f.severity == "error" for f in findings)
        warnings += sum(f.severity == "warning" for f in findings)
    if spell.missing:
        print(f"cảnh báo: {spell.missing}; bỏ qua kiểm tra chính tả "
              "(cài: apt-get install hunspell hunspell-vi)", file=sys.stderr)
    print(f"{errors} lỗi, {warnings} cảnh báo." if errors or warnings else "Không có lỗi.",
          file=sys.stderr)
    return status or (1 if errors else 0)

