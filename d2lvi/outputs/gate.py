"""The output gate's adapter: compare outputs with the stored ones, or accept new ones."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from d2lvi.outputs import store
from d2lvi.source.pairs import blocks_of


@dataclass(frozen=True)
class Chapter:
    """Where a chapter's source, stored outputs and built notebook live."""

    source: Path
    expected: Path
    cache: Path

    @classmethod
    def at(cls, source: Path, build_dir: Path = Path("_build")) -> Chapter:
        """The conventional paths around a chapter source."""
        expected = source.with_name(source.stem + ".outputs.txt")
        return cls(source, expected, build_dir / ".jupyter_cache")


def code_cell_lines(text: str) -> list[int]:
    """The 1-based line of each code cell's opening fence in a MyST chapter."""
    code = (b for b in blocks_of(text) if b.kind == "code")
    return [b.start for b in code if "{code-cell}" in b.text.split("\n")[0]]


def actual_cells(chapter: Chapter, fresh: bool,
                 read: Callable[[Path], Any] | None = None) -> list[store.Cell]:
    """The chapter's outputs: from a fresh kernel run, or from the book build's cache."""
    from d2lvi.outputs.execute import execute, read_chapter  # needs the kernel stack

    nb = (read or read_chapter)(chapter.source)
    if fresh:
        nb = execute(nb, cwd=chapter.source.parent, name=str(chapter.source))
    else:
        # The HTML was rendered from this jupyter-cache record (matched on code cells).
        from jupyter_cache import get_cache

        if not chapter.cache.exists():
            raise FileNotFoundError(f"{chapter.cache}: chưa có bộ đệm thực thi (run `make html`)")
        try:
            _, nb = get_cache(chapter.cache).merge_match_into_notebook(nb)
        except KeyError:
            raise FileNotFoundError(
                f"{chapter.cache}: không có lần chạy nào khớp mã hiện tại của {chapter.source}"
            ) from None
    return store.cells_from_notebook(nb)


def report(chapter: Chapter, found: list[store.Divergence]) -> str:
    """Human-readable report: one located line per divergent cell, then its diff."""
    lines = code_cell_lines(chapter.source.read_text(encoding="utf-8"))
    out = []
    for d in found:
        line = lines[d.index - 1] if d.kind != "missing" and d.index <= len(lines) else 1
        where = chapter.source if d.kind != "missing" else chapter.expected
        what = {
            "changed": "đầu ra khác với kết quả đã lưu (output differs)",
            "missing": "ô mã đã lưu nhưng không còn được chạy (cell removed)",
            "extra": "ô mã mới chưa có kết quả lưu (cell added)",
        }[d.kind]
        out.append(f"{where}:{line}: OUT001 ô mã {d.index} `{d.first_line}`: {what}")
        out.append(d.diff)
    return "\n".join(out)


def divergences(chapter: Chapter, fresh: bool, read: Callable[[Path], Any] | None = None
                ) -> tuple[int, list[store.Divergence]]:
    """How many cells are stored, and every cell whose outputs differ from the stored ones."""
    expected = store.parse(chapter.expected.read_text(encoding="utf-8"))
    return len(expected), store.compare(expected, actual_cells(chapter, fresh, read))


def check(chapter: Chapter, fresh: bool) -> int:
    """Compare and print a diff per divergent cell; 0 when all outputs match."""
    stored, found = divergences(chapter, fresh)
    if found:
        print(report(chapter, found))
        print(f"{len(found)} ô mã có đầu ra khác {chapter.expected} "
              "— nếu thay đổi là có chủ đích, chạy `make update-outputs`.", file=sys.stderr)
        return 1
    print(f"{chapter.source}: {stored} ô mã, mọi đầu ra khớp {chapter.expected}")
    return 0


def update(chapter: Chapter) -> int:
    """Execute freshly, store the outputs, and show what changed."""
    cells = actual_cells(chapter, fresh=True)
    new = store.render(cells, chapter.source.as_posix())
    old = chapter.expected.read_text(encoding="utf-8") if chapter.expected.exists() else ""
    if old == new:
        print(f"{chapter.expected}: không có thay đổi (unchanged)")
        return 0
    found = store.compare(store.parse(old), cells)
    if found:
        print(report(chapter, found))
    chapter.expected.write_text(new, encoding="utf-8")
    print(f"{chapter.expected}: đã cập nhật {len(found)} ô mã (updated)")
    return 0
