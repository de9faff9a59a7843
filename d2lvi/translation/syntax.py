"""Markup rules: comments and fences left open, raw HTML that could run code, cells skipped
without a reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import yaml
from markdown_it.token import Token

from d2lvi.source.pairs import Chapter, markdown_parser
from d2lvi.translation.inline import mask, position
from d2lvi.translation.rules import Finding

# Unsafe raw HTML: executable elements, event handlers and javascript: URLs inside tags.
UNSAFE_HTML = re.compile(
    r"<\s*(?:script|iframe|style|object|embed)\b|<[^>]*?\son[a-z]+\s*=|<[^>]*?javascript\s*:",
    re.I | re.S)


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


def unsafe_html(text: str, first_line: int) -> list[Finding]:
    """Raw HTML that could run code (script, iframe, style, on…=, javascript:)."""
    if "<" not in text:
        return []  # every unsafe form starts with "<": no Markdown parse needed (most blocks)
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


def code_cell_options(block_text: str) -> dict:
    """A MyST code cell's options: ``:key: value`` lines or a ``---`` YAML header."""
    body = block_text.split("\n")[1:]
    if body[:1] == ["---"]:
        end = next((k for k, line in enumerate(body[1:], 1) if line == "---"), 0)
        header = body[1:end]
    else:
        header = []
        for line in body:
            if not (m := re.match(r"^:([\w-]+):(.*)$", line)):
                break
            header.append(f"{m[1]}:{m[2]}")
    try:
        options = yaml.safe_load("\n".join(header)) if header else {}
    except yaml.YAMLError:
        return {}
    return options if isinstance(options, dict) else {}


def unexplained_skips(chapter: Chapter) -> list[Finding]:
    """A cell the build does not run (``skip-execution``) must say why (``:not-executed:``)."""
    out = []
    for block in chapter.blocks:
        if block.kind != "code" or "{code-cell}" not in block.text.split("\n")[0]:
            continue
        options = code_cell_options(block.text)
        tags = options.get("tags") or []
        if "skip-execution" in tags and not str(options.get("not-executed") or "").strip():
            out.append(Finding(block.start, 1, "TR004",
                               "ô mã có tag skip-execution nhưng thiếu lý do `:not-executed:` "
                               "(vì sao ô này không được chạy khi dựng sách)"))
    return out
