"""The output gate's passes, remembered while nothing they depend on changes.

Gating a chapter reads its source as a notebook and its cached execution (~40 ms), and every
build gates every chapter: after a one-page edit of a book of many sections, that would be
most of the rebuild. A chapter's verdict depends only on its source, its stored outputs,
the cache record its code matches and the gate's own code, so a pass is remembered with the
fingerprints of all four (``gate-verdicts.json`` inside the execution cache, which it goes
with). A failure is never remembered: a failing chapter is compared, and reported, again
on every build until it passes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from d2lvi.outputs import compare, gate, images, store, svg, tolerance

MEMO = "gate-verdicts.json"


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gate_version() -> str:
    """A fingerprint of the code that decides a verdict (a changed gate compares again)."""
    modules = (gate, store, compare, svg, images, tolerance)
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).hexdigest()


def _key(chapter: gate.Chapter) -> str:
    """A chapter's entry: its absolute source path (the build and the CLI name it differently)."""
    return str(chapter.source.resolve())


def record_identity(cache: Path, hashkey: str) -> list[Any] | None:
    """The cached notebook of a record, as a file identity (None when it is gone)."""
    try:
        info = os.stat(cache / "executed" / hashkey / "base.ipynb")
    except OSError:
        return None
    return [hashkey, info.st_ino, info.st_size, info.st_mtime_ns]


class Verdicts:
    """The remembered passes of one execution cache."""

    def __init__(self, cache: Path, settings: compare.Settings | None = None) -> None:
        self.cache = cache
        self.path = cache / MEMO
        # The book-wide tolerances decide verdicts too: other settings, other passes.
        self.version = gate_version() + repr(settings)
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        self.passes: dict[str, Any] = (saved.get("passes", {})
                                       if saved.get("gate") == self.version else {})
        self.changed = False

    def _fingerprint(self, chapter: gate.Chapter) -> dict[str, str]:
        """What a chapter's verdict depends on, besides its cache record."""
        figures = sorted(chapter.figures.rglob("*")) if chapter.figures.is_dir() else []
        return {"source": _digest(chapter.source), "expected": _digest(chapter.expected),
                "figures": hashlib.sha256(b"".join(
                    str(f.relative_to(chapter.figures)).encode() + b"\0" + f.read_bytes()
                    for f in figures if f.is_file())).hexdigest()}

    def remembered(self, chapter: gate.Chapter) -> int | None:
        """The number of stored cells if the chapter passed with everything as it is now."""
        entry = self.passes.get(_key(chapter))
        if entry is None or not chapter.expected.exists():
            return None
        record = entry.get("record") or [""]
        if (entry.get("fingerprint") != self._fingerprint(chapter)
                or record_identity(self.cache, record[0]) != record):
            return None
        return int(entry["cells"])

    def remember(self, chapter: gate.Chapter, hashkey: str, cells: int) -> None:
        """Note a pass of ``chapter`` against the cache record ``hashkey``."""
        record = record_identity(self.cache, hashkey)
        if record is not None:
            self.passes[_key(chapter)] = {"fingerprint": self._fingerprint(chapter),
                                                "record": record, "cells": cells}
            self.changed = True

    def forget(self, chapter: gate.Chapter) -> None:
        """Drop a chapter's pass (it failed, or could not be gated)."""
        if self.passes.pop(_key(chapter), None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the passes, if any changed (next to the cache, atomically)."""
        if not self.changed or not self.cache.is_dir():
            return
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps({"gate": self.version, "passes": self.passes},
                                      sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)
        self.changed = False


def divergences(chapter: gate.Chapter, read: Callable[[Path], Any], verdicts: Verdicts,
                settings: compare.Settings | None = None) -> tuple[int, list[compare.Divergence]]:
    """``gate.divergences`` from the cache, or the remembered pass; passes are remembered."""
    cells = verdicts.remembered(chapter)
    if cells is not None:
        return cells, []
    from jupyter_cache import get_cache

    if not chapter.cache.exists():
        raise FileNotFoundError(f"{chapter.cache}: chưa có bộ đệm thực thi (run `make html`)")
    nb = read(chapter.source)
    try:
        hashkey = get_cache(str(chapter.cache)).match_cache_notebook(nb).hashkey
    except KeyError:
        hashkey = None  # gate.divergences says so, in its own words
    stored, found = gate.divergences(chapter, False, lambda _path: nb, settings)
    if found or hashkey is None:
        verdicts.forget(chapter)
    else:
        verdicts.remember(chapter, hashkey, stored)
    return stored, found


def is_executed(chapter: gate.Chapter, read: Callable[[Path], Any], verdicts: Verdicts) -> bool:
    """Whether the cache holds an execution of the chapter's current code."""
    if verdicts.remembered(chapter) is not None:
        return True
    if not (chapter.cache / "executed").is_dir():
        return False
    from jupyter_cache import get_cache

    try:
        get_cache(str(chapter.cache)).match_cache_notebook(read(chapter.source))
    except KeyError:
        return False
    return True


def check(chapter: gate.Chapter, settings: compare.Settings | None = None) -> int:
    """``gate.check`` against the cache, answered from a remembered pass when there is one."""
    verdicts = Verdicts(chapter.cache, settings)
    cells = verdicts.remembered(chapter)
    if cells is not None:
        print(f"{chapter.source}: {cells} ô mã, mọi đầu ra khớp {chapter.expected}")
        return 0
    from d2lvi.outputs.execute import read_chapter

    try:
        stored, found = divergences(chapter, read_chapter, verdicts, settings)
    finally:
        verdicts.save()
    if found:
        return gate.check(chapter, False, settings)  # prints the report as it always has
    print(f"{chapter.source}: {stored} ô mã, mọi đầu ra khớp {chapter.expected}")
    return 0
