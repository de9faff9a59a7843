"""Rules on each English/Vietnamese pair: untranslated, headings, math, code, references,
avoided terms and spelling (the glossary's terms per block are in ``terms``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from d2lvi.source.pairs import (
    PLACEHOLDER,
    Block,
    Chapter,
    Pair,
)
from d2lvi.translation.glossary import Entry
from d2lvi.translation.inline import (
    WORD,
    fold,
    is_cite,
    is_ref,
    position,
    prose,
    role_targets,
    scan,
    vi_line,
)
from d2lvi.translation.rules import Context, Finding


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
