"""Code written for the 2020 d2l API, adapted to the pinned d2l 1.0.3 (MXNet).

Each rule is a small, documented rewrite of one code line; the English text is never
touched. The importer shows every adapted cell as a diff, and the checker compares a
chapter's code with its upstream's *after* the same rules, so an adapted cell is not
"changed code" but one a contributor edits by hand still is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One line rewrite: what it matches, its replacement and why it is needed."""

    pattern: re.Pattern[str]
    replacement: str
    why: str


RULES = (
    # d2l 0.x was one MXNet-only module; d2l 1.x is a package with one module per framework,
    # and the bare package has none of the helpers (corr2d, plot, load_data_fashion_mnist...).
    Rule(re.compile(r"^(?P<indent>[ \t]*)import d2l(?P<rest>[ \t]*(?:#.*)?)$", re.M),
         r"\g<indent>from d2l import mxnet as d2l\g<rest>",
         "d2l 1.0.3: các hàm của d2l 2020 nằm trong `from d2l import mxnet as d2l`"),
)


@dataclass(frozen=True)
class Adaptation:
    """A cell's code before and after the rules, and the reasons of the rules that applied."""

    before: str
    after: str
    reasons: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether any rule rewrote the cell."""
        return self.before != self.after

    def diff(self, name: str) -> str:
        """A unified diff of the rewrite, for the importer's report."""
        return "\n".join(difflib.unified_diff(
            self.before.split("\n"), self.after.split("\n"), f"{name} (2020)",
            f"{name} (d2l 1.0.3)", lineterm="", n=0))


def adapt(code: str) -> Adaptation:
    """Apply every rule to one code cell."""
    after, reasons = code, []
    for rule in RULES:
        after, count = rule.pattern.subn(rule.replacement, after)
        if count:
            reasons.append(rule.why)
    return Adaptation(code, after, tuple(reasons))
