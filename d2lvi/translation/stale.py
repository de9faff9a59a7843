"""Staleness and progress: which translated blocks no longer match the upstream English.

Like gettext's ``msgmerge``, the English originals of a chapter are matched against a
newer upstream English, first by exact text and order, then by similarity, so an edited
paragraph is reported ``stale`` (gettext's "fuzzy") rather than ``removed`` + ``new``.
A stale block is never counted as translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from d2lvi.source.d2l import strip_other_tabs
from d2lvi.source.pairs import Pair, blocks_of, parse
from d2lvi.source.repair import repaired

# Word-level similarity above which an unmatched pair of blocks is "the same block, edited".
SIMILARITY = 0.5
# Lines d2l attaches to headings and figures; in the template they sit outside the English.
LABEL_PREFIX = ":label:`"


@dataclass(frozen=True)
class EnglishBlock:
    """One English original of an upstream text, with its 1-based line and Phần (0: none)."""

    text: str
    line: int
    part: int = 0


@dataclass(frozen=True)
class Change:
    """One difference between the chapter's English and the new upstream English."""

    kind: str  # "stale", "new" or "removed"
    line: int  # chapter line: the English comment, or where a new block would go
    part: int  # the chapter's Phần (0 when outside every part)
    text: str  # the new English (stale, new) or the chapter's English (removed)
    upstream_line: int | None = None


def normalize(text: str) -> str:
    """English compared modulo trailing spaces and surrounding blank lines."""
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def similarity(a: str, b: str) -> float:
    """Word-level similarity of two blocks (0..1)."""
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _match_region(old: Sequence[str], new: Sequence[str], rows: range, cols: range,
                  threshold: float) -> list[tuple[int | None, int | None]]:
    """Pair up the blocks of one differing region by similarity, keeping their order."""
    candidates = sorted(
        ((similarity(old[i], new[j]), i, j) for i in rows for j in cols),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    accepted: list[tuple[int, int]] = []
    for ratio, i, j in candidates:
        if ratio < threshold:
            break
        if any(i == a or j == b or (i < a) != (j < b) for a, b in accepted):
            continue  # already used, or crossing an accepted match
        accepted.append((i, j))
    out: list[tuple[int | None, int | None]] = []
    i, j = rows.start, cols.start
    for a, b in sorted(accepted):
        out += [(k, None) for k in range(i, a)] + [(None, k) for k in range(j, b)]
        out.append((a, b))
        i, j = a + 1, b + 1
    out += [(k, None) for k in range(i, rows.stop)] + [(None, k) for k in range(j, cols.stop)]
    return out


def align(old: Sequence[str], new: Sequence[str], threshold: float = SIMILARITY
          ) -> list[tuple[int | None, int | None]]:
    """Align two block sequences: (i, j) same or edited, (i, None) removed, (None, j) new."""
    old_n = [normalize(t) for t in old]
    new_n = [normalize(t) for t in new]
    out: list[tuple[int | None, int | None]] = []
    matcher = SequenceMatcher(None, old_n, new_n, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        else:
            out += _match_region(old_n, new_n, range(i1, i2), range(j1, j2), threshold)
    return out


def _is_furniture(text: str, headings: Sequence) -> bool:
    """A fixed section heading or its lone link (Summary, Exercises, [Discussions](...))."""
    title = text.lstrip("#").strip()
    if title.startswith("[") and "](" in title:
        title = title[1 : title.index("](")]
    return any(entry.pattern.fullmatch(title) for entry in headings)


def english_blocks(text: str, headings: Sequence = ()) -> list[EnglishBlock]:
    """The ordered English blocks of an upstream text: the template or a plain d2l file.

    In the template format (English in comments) these are the commented originals. In a
    plain d2l file every top-level block but code is English; ``:label:`` lines are dropped
    and fixed headings (glossary entries with ``heading: true``) are skipped, since the
    template pre-translates them. The text is first repaired as the import repairs it
    (unclosed comments closed, retired QR images dropped), so a raw d2l-vn template and its
    pinned copy give the same blocks.
    """
    text = repaired(text).text
    chapter = parse(text)
    if chapter.pairs or chapter.parts:
        return [EnglishBlock(p.en, p.en_start, p.part) for p in chapter.pairs]
    out = []
    for block in blocks_of(strip_other_tabs(text)):  # the book is MXNet's: other tabs go
        if block.kind in ("code", "comment", "html", "front_matter", "math"):
            continue
        lines = [ln for ln in block.text.split("\n") if not ln.strip().startswith(LABEL_PREFIX)]
        body = "\n".join(lines).strip()
        if body and not _is_furniture(body, headings):
            out.append(EnglishBlock(body, block.start))
    return out


def compare(pairs: Sequence[Pair], upstream: Sequence[EnglishBlock], last_line: int
            ) -> list[tuple[Pair | None, EnglishBlock | None, Change | None]]:
    """Match the chapter's pairs with the upstream blocks; the Change is None when equal."""
    aligned = align([p.en for p in pairs], [b.text for b in upstream])
    out: list[tuple[Pair | None, EnglishBlock | None, Change | None]] = []
    for n, (i, j) in enumerate(aligned):
        pair = pairs[i] if i is not None else None
        block = upstream[j] if j is not None else None
        if pair and block:
            same = normalize(pair.en) == normalize(block.text)
            change = None if same else Change("stale", pair.en_start, pair.part, block.text,
                                              block.line)
        elif pair:
            change = Change("removed", pair.en_start, pair.part, pair.en)
        else:
            assert block is not None
            nxt = next((pairs[k] for k, _ in aligned[n + 1 :] if k is not None), None)
            prev = next((pairs[k] for k, _ in reversed(aligned[:n]) if k is not None), None)
            if nxt:
                line = nxt.en_start
            else:
                line = min((prev.vi_end or prev.en_end) + 1, last_line) if prev else last_line
            part = block.part or (nxt.part if nxt else prev.part if prev else 0)
            change = Change("new", line, part, block.text, block.line)
        out.append((pair, block, change))
    return out


@dataclass(frozen=True)
class PartStatus:
    """Progress of one Phần."""

    part: int
    translated: int = 0
    stale: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        """Blocks to translate in this part."""
        return self.translated + self.stale + self.untranslated

    @property
    def percent(self) -> int:
        """Share of translated blocks, rounded down."""
        return 100 * self.translated // self.total if self.total else 100


def status(chapter_text: str, upstream: Sequence[EnglishBlock] | None = None
           ) -> tuple[list[PartStatus], int]:
    """Per-part counts, and how many chapter blocks the upstream no longer has."""
    chapter = parse(chapter_text)
    counts: dict[int, dict[str, int]] = {p: {} for p in chapter.parts}
    removed = 0
    # Without an upstream, every English original counts as current.
    rows = (compare(chapter.pairs, upstream, len(chapter.lines)) if upstream is not None
            else [(p, None, None) for p in chapter.pairs])
    for pair, _block, change in rows:
        if change is None:
            assert pair is not None
            kind, part = ("untranslated" if pair.untranslated else "translated"), pair.part
        elif change.kind == "removed":
            removed += 1
            continue
        else:
            kind = "stale" if change.kind == "stale" else "untranslated"
            part = change.part
        bucket = counts.setdefault(part, {})
        bucket[kind] = bucket.get(kind, 0) + 1
    return [PartStatus(p, **counts[p]) for p in sorted(counts)], removed
