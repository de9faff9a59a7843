"""Rules against the pinned upstream English: originals, code cells and labels unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from d2lvi.source.adapt import adapt
from d2lvi.source.d2l import code_runs_here
from d2lvi.source.pairs import (
    Block,
    Chapter,
    Pair,
    part_markers,
)
from d2lvi.translation.inline import D2L_LABEL, MYST_LABELS, OPTION, vi_line
from d2lvi.translation.rules import Finding
from d2lvi.translation.stale import EnglishBlock, align, normalize


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
    return {n: block.start for block, kind, n in part_markers(chapter.blocks) if kind == "end"}


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
    """Code cells equal to the pinned upstream's, in order (fences differ: d2l vs MyST).

    The upstream's cells of other frameworks are left out, and its 2020-API cells are
    compared as the importer adapted them (``d2lvi.source.adapt``).
    """
    mine = _code_cells(chapter, True)
    theirs = [(block, line, adapt("\n".join(code)).after.split("\n"))
              for block, line, code in _code_cells(upstream, False)
              if code_runs_here("\n".join(code))]
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
