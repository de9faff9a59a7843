"""Build benchmarks (``make bench``): medians of several runs, as ratios within one run.

By default the book-scale benchmark (``d2lvi.build.benchbook``): books of 1, 8 and 30
sections built by d2lvi and by plain Jupyter Book. ``--loop``: the one-section edit loop
(with and without the build server, lint, ``make check``, the cells as a plain script).
Every scenario runs in a scratch copy of the book's sources that shares the project's
installed environments, so the numbers measure building, not installing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from d2lvi.build.protocol import socket_path, stop
from d2lvi.build.scratch import copy_book, make_command

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = Path("chapter_cnn/transposed-conv.md")
# A Vietnamese-only edit: one word added to a translated sentence.
TEXT_EDIT = ("Hãy kiểm tra lại kết quả", "Hãy cùng kiểm tra lại kết quả")


@dataclass(frozen=True)
class Result:
    """The timings of one scenario."""

    name: str
    seconds: list[float]
    note: str = ""

    @property
    def median(self) -> float:
        """The median run time."""
        return statistics.median(self.seconds)


def run_timed(command: list[str], cwd: Path, **kwargs: Any) -> float:
    """Run a command to completion; the seconds it took. A failure ends the benchmark."""
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: `{' '.join(command)}` failed in {cwd}:\n{proc.stdout[-3000:]}"
                 f"{proc.stderr[-3000:]}")
    return elapsed


def make(book: Path, *targets: str, server: bool = True) -> float:
    """Run make in the copy with the project's environments; seconds taken."""
    env = {**os.environ, "D2LVI_BUILD_SERVER": "1" if server else "0"}
    return run_timed(make_command(*targets), book, env=env)


def executions(book: Path) -> tuple[int, float]:
    """The book's jupyter-cache executions: how many, and the newest one's time."""
    executed = book / "_build" / ".jupyter_cache" / "executed"
    if not executed.exists():
        return 0, 0.0
    newest = max((p.stat().st_mtime for p in executed.rglob("*")), default=0.0)
    return len(list(executed.iterdir())), newest


def timed(runs: int, prepare: Callable[[], None], act: Callable[[], float]) -> list[float]:
    """Run ``prepare`` (untimed) then ``act`` (timed) ``runs`` times."""
    seconds = []
    for _ in range(runs):
        prepare()
        seconds.append(act())
    return seconds


def scenarios(book: Path, runs: int) -> list[Result]:
    """Measure every scenario in the scratch book."""
    build = book / "_build"
    chapter = book / CHAPTER
    original = chapter.read_text(encoding="utf-8")
    venv_python = str(ROOT / ".venv" / "bin" / "python")

    def empty() -> None:
        shutil.rmtree(build, ignore_errors=True)

    cold = timed(runs, empty, lambda: make(book, "html"))
    results = [Result("cold build (`make html`, empty _build)", cold)]

    def edit() -> None:
        text = chapter.read_text(encoding="utf-8")
        # Alternate between the two wordings so every run is a real edit.
        old, new = TEXT_EDIT if TEXT_EDIT[1] not in text else TEXT_EDIT[::-1]
        chapter.write_text(text.replace(old, new, 1), encoding="utf-8")

    def text_edits(name: str, server: bool) -> Result:
        """Rebuilds after prose edits, noting whether any cell ran again."""
        before = executions(book)
        seconds = timed(runs, edit, lambda: make(book, "html", server=server))
        executed = executions(book) != before
        return Result(name, seconds, "re-executed cells!" if executed else "no cell executed")

    results.append(text_edits("text-edit rebuild", server=True))
    # The same without the warm build server: each build imports everything itself.
    results.append(text_edits("text-edit rebuild, `D2LVI_BUILD_SERVER=0`", server=False))
    chapter.write_text(original, encoding="utf-8")
    make(book, "html")
    unchanged = timed(runs, lambda: None, lambda: make(book, "html"))
    results.append(Result("no-change rebuild", unchanged))
    results.append(Result("`make check` (fresh kernel + gate)",
                          timed(runs, lambda: None, lambda: make(book, "check"))))

    lint_python = ROOT / ".venv-lint" / "bin" / "python"
    python = str(lint_python if lint_python.exists() else venv_python)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    lint = [python, "-m", "d2lvi", "check", str(CHAPTER)]
    results.append(Result("lint (`python -m d2lvi check`)",
                          timed(runs, lambda: None, lambda: run_timed(lint, book, env=env))))

    script = book / "cells.py"
    script.write_text(cells_as_script(chapter), encoding="utf-8")

    floor = [venv_python, str(script)]
    results.append(Result("floor: the cells as a plain script",
                          timed(runs, lambda: None, lambda: run_timed(floor, chapter.parent))))
    return results


def cells_as_script(chapter: Path) -> str:
    """The chapter's code cells, in order, as one Python script."""
    import jupytext

    nb = jupytext.read(chapter)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code") + "\n"


def machine() -> str:
    """One line describing this machine."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({cpu}), Python {python}, {platform.system()}"


def table(results: list[Result], runs: int) -> str:
    """The results as a Markdown table, each also as a ratio to the cold build."""
    cold = results[0].median
    lines = [f"Machine: {machine()}; {runs} runs each, medians.", "",
             "| scenario | median (s) | min–max (s) | ratio to cold | note |",
             "|---|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.median:.2f} | {min(r.seconds):.2f}–{max(r.seconds):.2f} "
                     f"| {r.median / cold:.2f} | {r.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the book-scale benchmark (default) or the one-section loop, and print the table."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi.build.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,8,30",
                        help="book sizes (sections) of the book-scale benchmark")
    parser.add_argument("--loop", action="store_true",
                        help="instead: the one-section edit loop (server on/off, lint, check)")
    ns = parser.parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="d2lvi-bench-") as tmp:
        if ns.loop:
            book = copy_book(Path(tmp) / "book")
            try:
                text = table(scenarios(book, ns.runs), ns.runs)
            finally:
                stop(socket_path(book))
        else:
            from d2lvi.build import benchbook

            sizes = [int(s) for s in ns.sizes.split(",")]
            try:
                results, edits = benchbook.book_scale(sizes, ns.runs, Path(tmp))
            finally:
                for size in sizes:
                    stop(socket_path(Path(tmp) / f"d2lvi-{size}"))
            text = (f"Machine: {machine()}.\n\n{benchbook.table(results, ns.runs)}\n\n"
                    f"{benchbook.side_by_side_table(edits)}\n\n"
                    f"{benchbook.targets(results, edits)}")
    after = os.getloadavg()
    print(text)
    print(f"\nLoad average (1, 5, 15 min) before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
