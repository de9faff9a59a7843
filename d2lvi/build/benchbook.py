"""Book-scale benchmark: books of N sections built by d2lvi and by plain Jupyter Book.

For each size, two scratch copies of the same N-section book (``d2lvi.build.bookscale``):
one built as the README says (``make html``), one by plain ``jupyter-book build`` with the
book's execution cache but Jupyter Book's default extensions (the peer). Each run measures,
on both and interleaved (so load on a shared machine falls on both alike): a cold build, a
no-change rebuild, a prose edit and a code edit of the first section. The cells executed
are counted the same way for both: code cells of the cache records written by the build.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from d2lvi.build.bench import ROOT, make, run_timed
from d2lvi.build.bookscale import CHAPTER, make_book, write_peer_config

# Edits of the first section: a word of Vietnamese prose (alternated, so every run is a
# real edit), and a comment in a code cell (numbered, so every run is new code).
TEXT_EDIT = ("Hãy kiểm tra lại kết quả", "Hãy cùng kiểm tra lại kết quả")
CODE_LINE = re.compile(r"^trans_conv\(X, K\)(?:  # lần đo \d+)?\n```", re.M)
SCENARIOS = ("cold build", "no-change rebuild", "text edit (1 section)", "code edit (1 section)")


@dataclass
class Side:
    """One builder's timings and executed-cell counts, per scenario."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    cells: dict[str, list[int]] = field(default_factory=dict)

    def add(self, scenario: str, seconds: float, cells: int) -> None:
        """Note one run."""
        self.seconds.setdefault(scenario, []).append(seconds)
        self.cells.setdefault(scenario, []).append(cells)

    def median(self, scenario: str) -> float:
        """The median time of a scenario."""
        return statistics.median(self.seconds[scenario])


@dataclass
class Book:
    """A scratch book and how to build it."""

    path: Path
    peer: bool

    def build(self) -> float:
        """Build once; the seconds taken."""
        if self.peer:
            return run_timed([str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", "."],
                             self.path)
        return make(self.path, "html")

    def cells_since(self, since: float) -> int:
        """Code cells of the execution-cache records written since ``since`` (a file time)."""
        executed = self.path / "_build" / ".jupyter_cache" / "executed"
        total = 0
        for nb in executed.glob("*/base.ipynb"):
            if nb.stat().st_mtime >= since:
                cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
                total += sum(1 for c in cells if c["cell_type"] == "code")
        return total


def _now(book: Path) -> float:
    """The file system's current time (a file written now), for comparing file times."""
    stamp = book / ".bench-now"
    stamp.write_text("")
    return stamp.stat().st_mtime


def measure(book: Book, scenario: str, run: int) -> tuple[float, int]:
    """Prepare ``scenario`` (untimed), build (timed); seconds and cells executed."""
    chapter = book.path / CHAPTER
    if scenario == "cold build":
        shutil.rmtree(book.path / "_build", ignore_errors=True)
    elif scenario == "text edit (1 section)":
        text = chapter.read_text(encoding="utf-8")
        old, new = TEXT_EDIT if TEXT_EDIT[1] not in text else TEXT_EDIT[::-1]
        chapter.write_text(text.replace(old, new, 1), encoding="utf-8")
    elif scenario == "code edit (1 section)":
        text = chapter.read_text(encoding="utf-8")
        edited = CODE_LINE.sub(f"trans_conv(X, K)  # lần đo {run}\n```", text, count=1)
        if edited == text:
            raise ValueError(f"{chapter}: không thấy dòng mã để sửa (no code line to edit)")
        chapter.write_text(edited, encoding="utf-8")
    since = _now(book.path)
    seconds = book.build()
    return seconds, book.cells_since(since)


TEXT_EDIT_SCENARIO = SCENARIOS[2]


def book_scale(sizes: list[int], runs: int, workdir: Path
               ) -> tuple[dict[int, tuple[Side, Side]], dict[int, Side]]:
    """Every scenario at every size, d2lvi and peer interleaved; (d2lvi, peer) per size.

    Then the prose edit again on d2lvi's books of every size, one size after the other in
    each round: sizes measured minutes apart would compare the machine's load as much as
    the books (the second result, per size).
    """
    results: dict[int, tuple[Side, Side]] = {}
    books: dict[int, Book] = {}
    for size in sizes:
        ours = Book(make_book(workdir / f"d2lvi-{size}", size), peer=False)
        peer = Book(make_book(workdir / f"peer-{size}", size), peer=True)
        write_peer_config(peer.path)
        sides = (Side(), Side())
        for run, scenario in itertools.product(range(runs), SCENARIOS):
            for book, side in zip((ours, peer), sides, strict=True):
                side.add(scenario, *measure(book, scenario, run))
        results[size] = sides
        books[size] = ours
    side_by_side = {size: Side() for size in sizes}
    for run in range(max(runs, 5)):  # cheap: a few more rounds than the other scenarios
        for size in sizes:
            side_by_side[size].add(TEXT_EDIT_SCENARIO,
                                   *measure(books[size], TEXT_EDIT_SCENARIO, run))
    return results, side_by_side


def table(results: dict[int, tuple[Side, Side]], runs: int) -> str:
    """The results as a Markdown table: medians, ratios to the peer and to the own cold build."""
    lines = [f"{runs} runs each, medians (min–max); d2lvi = `make html`, peer = plain "
             "`jupyter-book build` with its execution cache.", "",
             "| sections | scenario | d2lvi (s) | peer (s) | d2lvi / peer | d2lvi / own cold "
             "| cells executed (d2lvi / peer) |", "|---:|---|---:|---:|---:|---:|---|"]
    for size, (ours, peer) in results.items():
        cold = ours.median("cold build")
        for scenario in SCENARIOS:
            mine, theirs = ours.median(scenario), peer.median(scenario)
            cells = f"{_cells(ours.cells[scenario])} / {_cells(peer.cells[scenario])}"
            lines.append(f"| {size} | {scenario} | {_spread(ours, scenario)} | "
                         f"{_spread(peer, scenario)} | {mine / theirs:.2f} | {mine / cold:.2f} "
                         f"| {cells} |")
    return "\n".join(lines)


def _spread(side: Side, scenario: str) -> str:
    """A scenario's median with its range."""
    seconds = side.seconds[scenario]
    return f"{side.median(scenario):.2f} ({min(seconds):.2f}–{max(seconds):.2f})"


def _cells(counts: list[int]) -> str:
    """Executed-cell counts of the runs: one number when all agree."""
    return str(counts[0]) if len(set(counts)) == 1 else "–".join(map(str, counts))


def side_by_side_table(edits: dict[int, Side]) -> str:
    """The prose edit measured size after size in each round, as a ratio to the smallest."""
    smallest = edits[min(edits)].median(TEXT_EDIT_SCENARIO)
    lines = ["Prose edit of one section, the books of each size edited one after the other in "
             "each round:", "", "| sections | d2lvi (s) | ratio to the smallest book | "
             "cells executed |", "|---:|---:|---:|---|"]
    for size, side in edits.items():
        lines.append(f"| {size} | {_spread(side, TEXT_EDIT_SCENARIO)} | "
                     f"{side.median(TEXT_EDIT_SCENARIO) / smallest:.2f} | "
                     f"{_cells(side.cells[TEXT_EDIT_SCENARIO])} |")
    return "\n".join(lines)


def targets(results: dict[int, tuple[Side, Side]], edits: dict[int, Side]) -> str:
    """The issue's targets, each with the measured value and whether it is met."""
    def row(goal: str, value: str, met: bool) -> str:
        """One target's line."""
        return f"- {goal}: {value} — {'met' if met else 'NOT met'}"

    out = []
    if 8 in results:
        ours, peer = results[8]
        ratio = ours.median("cold build") / peer.median("cold build")
        out.append(row("cold build ≤ 0.7× the peer (8 sections)", f"{ratio:.2f}×", ratio <= 0.7))
    for size, (ours, _) in results.items():
        ratio = ours.median("no-change rebuild") / ours.median("cold build")
        out.append(row(f"no-change ≤ 0.1× own cold ({size} sections)", f"{ratio:.2f}×",
                       ratio <= 0.1))
    if 1 in edits and 30 in edits:
        edit = TEXT_EDIT_SCENARIO
        ratio = edits[30].median(edit) / edits[1].median(edit)
        cells = edits[30].cells[edit] + results[30][0].cells[edit]
        out.append(row("text edit, 30 sections ≤ 1.5× 1 section (side by side), no cell "
                       "executed", f"{ratio:.2f}×, {max(cells)} cells",
                       ratio <= 1.5 and max(cells) == 0))
    for size, (ours, _) in results.items():
        cells = ours.cells["code edit (1 section)"]
        out.append(row(f"code edit executes one section's cells ({size} sections)",
                       f"{_cells(cells)} cells", set(cells) == {11}))
    return "\n".join(out)
