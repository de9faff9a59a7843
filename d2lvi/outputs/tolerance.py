"""Numeric tolerance of the output gate: the ``:tolerance:`` option, and numbers compared in text.

A tolerance is declared per code cell in its MyST options, or book-wide in ``_config.yml``:

* ``:tolerance: 1e-3``: an absolute tolerance;
* ``:tolerance: {abs: 1e-6, rel: 1e-3}``: absolute and/or relative (as ``math.isclose``:
  ``|a - b| <= max(rel * max(|a|, |b|), abs)``); ``rms`` bounds the pixel difference of
  raster figures (root mean square over 0–255 channels, as ``matplotlib.testing.compare``).

With a non-zero tolerance, every number of an output (array reprs, printed floats, figure
coordinates) is compared by value; the text around the numbers stays exact except for the
padding numpy adds around them (runs of spaces). Without one, outputs compare exactly.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

KEYS = ("abs", "rel", "rms")
# A number on its own: not glued to a word, a colour (#1f77b4) or a version (1.5.3); the
# exponent of scientific notation (1.e-03) is part of it.
NUMBER = re.compile(r"(?<![\w.#])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)")
SPACES = re.compile(r"[ \t]+")


class ToleranceError(ValueError):
    """A malformed tolerance value (the message says why; the caller adds where)."""


@dataclass(frozen=True)
class Tolerance:
    """How far numbers (and raster pixels) may move before an output diverges."""

    abs: float = 0.0
    rel: float = 0.0
    rms: float = 0.0

    @property
    def exact(self) -> bool:
        """True when numbers must be spelled identically."""
        return self.abs == 0 and self.rel == 0

    def close(self, a: float, b: float) -> bool:
        """Two numbers equal within this tolerance."""
        return a == b or math.isclose(a, b, rel_tol=self.rel, abs_tol=self.abs)

    def widen(self, other: Tolerance) -> Tolerance:
        """The larger of two tolerances, bound by bound."""
        return Tolerance(max(self.abs, other.abs), max(self.rel, other.rel),
                         max(self.rms, other.rms))

    def __str__(self) -> str:
        """Short form for messages, e.g. ``abs=0.001, rel=0`` or ``chính xác (exact)``."""
        if self.exact and not self.rms:
            return "chính xác (exact)"
        return ", ".join(f"{k}={getattr(self, k):g}" for k in KEYS if getattr(self, k))


EXACT = Tolerance()
# Floor for figures when the book does not set one: 0.01 pt (1/7200 inch) absorbs float noise
# in SVG coordinates; an RMS of 0.5 (of 255) absorbs anti-aliasing noise in PNG pixels. Both are
# far below what a changed curve, label, colour or axis limit moves (see tests/outputs).
FIGURE_FLOOR = Tolerance(abs=0.01, rms=0.5)


def _number(value: object, key: str) -> float:
    """One bound: a non-negative, finite number (YAML may give ``1e-3`` as a string)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ToleranceError(f"`{key}` phải là một số, không phải {value!r} (not a number)")
    try:
        number = float(value)
    except ValueError:
        raise ToleranceError(f"`{key}` phải là một số, không phải {value!r} (not a number)"
                             ) from None
    if not math.isfinite(number) or number < 0:
        raise ToleranceError(f"`{key}` phải là số không âm, hữu hạn: {value!r} "
                             "(must be a finite number >= 0)")
    return number


def parse(value: object) -> Tolerance:
    """A tolerance from an option value: a number (absolute) or a mapping of abs/rel/rms."""
    if isinstance(value, Mapping):
        unknown = sorted(str(k) for k in value if k not in KEYS)
        if unknown:
            raise ToleranceError(f"khóa không hợp lệ `{unknown[0]}`: chỉ dùng abs, rel, rms "
                                 "(unknown key)")
        if not value:
            raise ToleranceError("cần ít nhất một trong abs, rel, rms (empty mapping)")
        return Tolerance(**{str(k): _number(v, str(k)) for k, v in value.items()})
    return Tolerance(abs=_number(value, "tolerance"))


def _pieces(line: str) -> tuple[list[str], list[str]]:
    """A line split into its texts (padding trimmed) and the numbers between them."""
    numbers = NUMBER.findall(line)
    texts = NUMBER.split(line)
    last = len(texts) - 1
    trimmed = []
    for k, text in enumerate(texts):
        # Padding next to a number is layout (numpy widens columns), not content.
        text = text.lstrip(" \t") if k > 0 else text
        text = text.rstrip(" \t") if k < last else text
        trimmed.append(SPACES.sub(" ", text))
    return trimmed, numbers


def skeleton(line: str) -> str:
    """A line with its numbers replaced by ``#``: what must match exactly around them."""
    return "#".join(_pieces(line)[0])


def line_matches(old: str, new: str, tol: Tolerance) -> bool:
    """Two lines equal, their numbers within the tolerance."""
    if old == new:
        return True
    if tol.exact:
        return False
    (a_text, a_num), (b_text, b_num) = _pieces(old), _pieces(new)
    return a_text == b_text and all(tol.close(float(x), float(y))
                                    for x, y in zip(a_num, b_num, strict=True))


def text_matches(old: str, new: str, tol: Tolerance) -> bool:
    """Two texts equal line by line, numbers within the tolerance."""
    if old == new:
        return True
    a, b = old.split("\n"), new.split("\n")
    return len(a) == len(b) and all(line_matches(x, y, tol) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Row:
    """One row of a side-by-side comparison: a line on either side, or both."""

    old: str | None
    new: str | None
    same: bool


def align(old: list[str], new: list[str], tol: Tolerance) -> list[Row]:
    """Lines of both sides paired; lines equal within the tolerance are the same."""
    key = (lambda s: s) if tol.exact else skeleton
    matcher = difflib.SequenceMatcher(a=[key(s) for s in old], b=[key(s) for s in new],
                                      autojunk=False)
    rows = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row(x, y, line_matches(x, y, tol))
                     for x, y in zip(old[a0:a1], new[b0:b1], strict=True)]
            continue
        pairs = min(a1 - a0, b1 - b0) if op == "replace" else 0
        rows += [Row(old[a0 + k], new[b0 + k], False) for k in range(pairs)]
        rows += [Row(x, None, False) for x in old[a0 + pairs:a1]]
        rows += [Row(None, y, False) for y in new[b0 + pairs:b1]]
    return rows


def unified(old: list[str], new: list[str], tol: Tolerance,
            names: tuple[str, str] = ("expected", "actual")) -> list[str]:
    """A unified diff in which lines equal within the tolerance are not shown as changed."""
    # Lines within the tolerance are shown with their stored spelling, so only real changes
    # become -/+ lines.
    shown = [row.old if row.same else row.new for row in align(old, new, tol)
             if row.new is not None]
    return list(difflib.unified_diff(old, shown, names[0], names[1], lineterm="", n=3))
