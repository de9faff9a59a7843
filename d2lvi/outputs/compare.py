"""Stored and new outputs compared cell by cell: text, numbers within a tolerance, figures.

Cells are aligned by their first code line, so an added or removed cell is reported as such
and the cells after it still pair up. A pair diverges when its text differs (numbers beyond
the cell's tolerance, or any other character) or when one of its figures does.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from d2lvi.outputs import images
from d2lvi.outputs.images import Figure
from d2lvi.outputs.store import Cell
from d2lvi.outputs.tolerance import (
    EXACT,
    FIGURE_FLOOR,
    Tolerance,
    ToleranceError,
    parse,
    text_matches,
    unified,
)

DETAIL_LINES = 12  # figure diff lines shown in the terminal; the HTML report shows them all
DETAIL_WIDTH = 160


CONFIG_TEXT = "d2lvi_output_tolerance"  # keys under `sphinx: config:` in _config.yml
CONFIG_FIGURE = "d2lvi_figure_tolerance"


class SettingError(ToleranceError):
    """A malformed book-wide tolerance (``key``: its configuration key)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key} không hợp lệ (invalid): {message}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    """Book-wide tolerances (``_config.yml``): for numbers, and the floor for figures."""

    text: Tolerance = EXACT
    figure: Tolerance = FIGURE_FLOOR

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> Settings:
        """The settings from configuration values (absent keys keep their defaults)."""
        found = {}
        for key, name in ((CONFIG_TEXT, "text"), (CONFIG_FIGURE, "figure")):
            if values.get(key) is None:
                continue
            try:
                found[name] = parse(values[key])
            except ToleranceError as err:
                raise SettingError(key, str(err)) from None
        return cls(**found)

    def for_cell(self, cell: Cell) -> tuple[Tolerance, Tolerance]:
        """The tolerance of a cell's text and of its figures."""
        text = cell.tolerance if cell.tolerance is not None else self.text
        return text, text.widen(self.figure)


@dataclass(frozen=True)
class FigureChange:
    """A figure that differs, or is only on one side."""

    old: Figure | None
    new: Figure | None
    summary: str
    detail: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The stored file name (or the one it would get)."""
        return (self.old or self.new).name  # type: ignore[union-attr]


@dataclass(frozen=True)
class Divergence:
    """A cell whose outputs differ from the stored ones."""

    index: int  # 1-based code cell number, from whichever side has the cell
    first_line: str
    # changed, code-changed (changed, and so did the cell's first code line, which keys it),
    # missing (stored but not produced), extra (produced, not stored)
    kind: str
    diff: str  # for the terminal: a unified diff, then one paragraph per changed figure
    old: Cell | None = None
    new: Cell | None = None
    figures: tuple[FigureChange, ...] = ()
    tolerance: Tolerance = EXACT


def compare(expected: list[Cell], actual: list[Cell],
            settings: Settings | None = None) -> list[Divergence]:
    """Every cell whose outputs differ, aligning cells by their first code line."""
    settings = settings or Settings()
    matcher = difflib.SequenceMatcher(
        a=[c.first_line for c in expected], b=[c.first_line for c in actual], autojunk=False
    )
    found: list[Divergence] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        olds, news = expected[a0:a1], actual[b0:b1]
        if op == "equal" or (op == "replace" and len(olds) == len(news)):
            # Indices may shift when a cell is added earlier; the body and name decide.
            for old, new in zip(olds, news, strict=True):
                if d := _pair(old, new, settings):
                    found.append(d)
            continue
        found += [_one_sided(c, "missing") for c in olds]
        found += [_one_sided(c, "extra") for c in news]
    return found


def figure_changes(old: Cell, new: Cell, tol: Tolerance) -> list[FigureChange]:
    """The figures of two versions of a cell that differ, paired in order."""
    out = []
    for a, b in zip(old.figures, new.figures, strict=False):
        try:
            diff = images.compare(a, b, tol)
        except images.FigureError as err:  # only when accepting outputs: the gate reads first
            out.append(FigureChange(a, b, f"không so sánh được (cannot compare): {err}"))
            continue
        if diff:
            out.append(FigureChange(a, b, diff.summary, diff.detail))
    out += [FigureChange(a, None, "hình đã bỏ (figure removed)")
            for a in old.figures[len(new.figures):]]
    out += [FigureChange(None, b, "hình mới (new figure)") for b in new.figures[len(old.figures):]]
    return out


def _pair(old: Cell, new: Cell, settings: Settings) -> Divergence | None:
    """The divergence of a cell present on both sides, or None when it matches."""
    text_tol, figure_tol = settings.for_cell(new)
    same_text = old.first_line == new.first_line and text_matches(old.text, new.text, text_tol)
    figures = tuple(figure_changes(old, new, figure_tol))
    if same_text and not figures:
        return None
    lines = unified(f"{old.header}\n{old.text}".split("\n"),
                    f"{new.header}\n{new.text}".split("\n"), text_tol) if not same_text else []
    for change in figures:
        lines.append(f"hình {change.name}: {change.summary}")
        lines += shorten(list(change.detail[:DETAIL_LINES]))
        if len(change.detail) > DETAIL_LINES:
            lines.append(f"… {len(change.detail) - DETAIL_LINES} dòng nữa trong báo cáo HTML "
                         "(more in the HTML report)")
    # A cell is known by its first code line: a new one is new code, whatever the tolerance.
    kind = "changed" if old.first_line == new.first_line else "code-changed"
    return Divergence(new.index, new.first_line, kind, "\n".join(lines), old, new,
                      figures, text_tol)


def shorten(diff: list[str], width: int = DETAIL_WIDTH) -> list[str]:
    """Diff lines cut for the terminal; a changed pair keeps the place where they differ."""
    out = list(diff)
    k = 0
    while k < len(diff):
        if not diff[k].startswith("-"):
            out[k] = _cut(diff[k], 0, width)
            k += 1
            continue
        minus = k
        while k < len(diff) and diff[k].startswith("-"):
            k += 1
        plus = k
        while k < len(diff) and diff[k].startswith("+"):
            k += 1
        for i in range(minus, plus):
            j = plus + (i - minus)
            if j >= k:
                out[i] = _cut(diff[i], 0, width)
                continue
            start = next((p for p, (a, b) in enumerate(zip(diff[i], diff[j], strict=False))
                          if p and a != b), min(len(diff[i]), len(diff[j])))
            out[i], out[j] = _cut(diff[i], start, width), _cut(diff[j], start, width)
        for j in range(plus + (plus - minus), k):
            out[j] = _cut(diff[j], 0, width)
    return out


def _cut(line: str, at: int, width: int) -> str:
    """A window of a diff line (its -/+ sign kept) around a position."""
    if len(line) <= width:
        return line
    begin = max(1, at - width // 3)
    if begin == 1:
        return line[:width - 1] + "…"
    return line[0] + "…" + line[begin:begin + width - 3] + "…"


def _one_sided(cell: Cell, kind: str) -> Divergence:
    """A cell only stored (missing) or only produced (extra)."""
    sign = "-" if kind == "missing" else "+"
    lines = "\n".join(sign + line for line in cell.render().splitlines())
    old, new = (cell, None) if kind == "missing" else (None, cell)
    figures = tuple(FigureChange(f if old else None, f if new else None,
                                 "hình đã bỏ (figure removed)" if old else "hình mới (new figure)")
                    for f in cell.figures)
    return Divergence(cell.index, cell.first_line, kind, lines, old, new, figures)
