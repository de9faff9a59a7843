"""What was found in each built file, kept until the file changes.

Steps that run after every build over the whole output (the math typesetting looks for TeX,
the icon font for icon names) would otherwise read every page of the book again after a
one-page edit: their cost would grow with the book. A memo under the doctree directory
keeps each file's result with the file's identity (inode, size, modification time); only
files written since, or new, are read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def identity(path: Path) -> list[int]:
    """What changes when a file is written again (a rename, as ``os.replace``, changes inode)."""
    info = os.stat(path)
    return [info.st_ino, info.st_size, info.st_mtime_ns]


class PageMemo:
    """Per-file results of one kind, stored as JSON in ``memo``."""

    def __init__(self, memo: Path, root: Path) -> None:
        self.memo, self.root = memo, root
        try:
            self.saved: dict[str, Any] = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.saved = {}
        self.current: dict[str, Any] = {}
        self.read = 0  # files computed again (for tests and logs)

    def results(self, files: Iterable[Path], compute: Callable[[Path], T]) -> dict[Path, T]:
        """``compute(file)`` for each file, reused from the memo while the file is unchanged."""
        out: dict[Path, T] = {}
        for path in files:
            key = path.relative_to(self.root).as_posix()
            ident = identity(path)
            saved = self.saved.get(key)
            if saved is not None and saved[0] == ident:
                value = saved[1]
            else:
                value = compute(path)
                self.read += 1
            self.current[key] = [ident, value]
            out[path] = value
        return out

    def update(self, path: Path, value: Any) -> None:
        """Record a file's result after the caller wrote it again (e.g. typeset its math)."""
        key = path.relative_to(self.root).as_posix()
        self.current[key] = [identity(path), value]

    def save(self) -> None:
        """Write the memo: the files seen this time (files gone are forgotten)."""
        self.memo.parent.mkdir(parents=True, exist_ok=True)
        partial = self.memo.with_name(self.memo.name + ".tmp")
        partial.write_text(json.dumps(self.current, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.memo)
