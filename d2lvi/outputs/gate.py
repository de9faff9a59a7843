"""The output gate's adapter: compare outputs with the stored ones, or accept new ones.

Reads the chapter, its stored text form and figure files, and ``_config.yml``; prints the
terminal report (one located line per diverging cell, then its diff) and writes the HTML
report. Bad input is a ``GateError``: one line, ``path:line: CODE message``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from d2lvi.outputs import compare, images, report, store
from d2lvi.source.pairs import blocks_of

REPORT_NAME = "index.html"
FIGURE_FILE = re.compile(r"^cell-\d+-\d+\.(?:svg|png|jpg)$")
WHAT = {
    "changed": "đầu ra khác với kết quả đã lưu (output differs)",
    # The gate knows a cell by its first code line: with a new one, even identical outputs,
    # or outputs within a tolerance, are a new cell's, to be accepted on purpose.
    "code-changed": "mã của ô đã đổi (the cell's code changed): dòng mã đầu tiên khác bản đã "
                    "lưu; kiểm tra rồi chạy `make update-outputs`",
    "missing": "ô mã đã lưu nhưng không còn được chạy (cell removed)",
    "extra": "ô mã mới chưa có kết quả lưu (cell added)",
}


class GateError(ValueError):
    """Bad input of the gate, located: ``path:line: CODE message`` on one line."""

    def __init__(self, path: Path, line: int, code: str, message: str) -> None:
        super().__init__(f"{path}:{line}: {code} {message}")
        self.path, self.line, self.code, self.message = path, line, code, message


@dataclass(frozen=True)
class Chapter:
    """Where a chapter's source, stored outputs (text and figures) and built notebook live."""

    source: Path
    expected: Path
    cache: Path

    @classmethod
    def at(cls, source: Path, build_dir: Path = Path("_build")) -> Chapter:
        """The conventional paths around a chapter source."""
        expected = source.with_name(source.stem + ".outputs.txt")
        return cls(source, expected, build_dir / ".jupyter_cache")

    @property
    def has_outputs(self) -> bool:
        """Whether the chapter has code cells (or stored outputs) to gate."""
        if self.expected.exists():
            return True
        return bool(code_cell_lines(self.source.read_text(encoding="utf-8")))

    @property
    def figures(self) -> Path:
        """The stored figures' folder, beside the text form: ``x.outputs.txt`` → ``x.outputs``."""
        return self.expected.with_name(self.expected.name.removesuffix(".txt"))


def code_cell_lines(text: str) -> list[int]:
    """The 1-based line of each code cell's opening fence in a MyST chapter."""
    code = (b for b in blocks_of(text) if b.kind == "code")
    return [b.start for b in code if "{code-cell}" in b.text.split("\n")[0]]


def option_line(text: str, index: int, key: str) -> int:
    """The line of a code cell's option (``:key:`` or YAML ``key:``), else of its fence."""
    cells = [b for b in blocks_of(text)
             if b.kind == "code" and "{code-cell}" in b.text.split("\n")[0]]
    if not 0 < index <= len(cells):
        return 1
    block = cells[index - 1]
    option = re.compile(rf"^\s*:?{re.escape(key)}:")
    lines = block.text.split("\n")
    return block.start + next((k for k, ln in enumerate(lines) if option.match(ln)), 0)


def yaml_key_line(text: str, key: str) -> int:
    """The line where a key is set in a YAML document (1 when not found)."""
    import yaml

    def find(node: Any) -> int | None:
        """Depth-first search of the mapping keys."""
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    return k.start_mark.line + 1
                if (found := find(v)) is not None:
                    return found
        return None

    try:
        return find(yaml.compose(text)) or 1
    except yaml.YAMLError:
        return 1


def book_settings(root: Path = Path(".")) -> compare.Settings:
    """The book-wide tolerances of ``root/_config.yml`` (``sphinx: config:``), else defaults."""
    import yaml

    path = root / "_config.yml"
    if not path.exists():
        return compare.Settings()
    text = path.read_text(encoding="utf-8")
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        line = err.problem_mark.line + 1 if getattr(err, "problem_mark", None) else 1
        raise GateError(path, line, "OUT002", f"YAML không hợp lệ: {err}") from None
    values = ((config.get("sphinx") or {}).get("config") or {}) if isinstance(config, dict) else {}
    try:
        return compare.Settings.from_config(values)
    except compare.SettingError as err:
        raise GateError(path, yaml_key_line(text, err.key), "OUT002", str(err)) from None


def stored_cells(chapter: Chapter, strict: bool = True) -> list[store.Cell]:
    """The stored sections with their figure files read; a bad file is a ``GateError``.

    Not ``strict`` (when accepting new outputs), an unreadable figure is left unread.
    """
    cells = store.parse(chapter.expected.read_text(encoding="utf-8"))
    return [replace(c, figures=tuple(_read_figure(chapter, f, strict) for f in c.figures))
            for c in cells]


def _read_figure(chapter: Chapter, figure: images.Figure, strict: bool) -> images.Figure:
    """A stored figure with its bytes, checked to be a readable image of its type."""
    path = chapter.expected.parent / figure.name
    try:
        if path.resolve().parent != chapter.figures.resolve():
            raise images.FigureError(f"phải nằm trong {chapter.figures.name}/ (outside the "
                                     "figure folder)")
        if not path.is_file():
            raise images.FigureError("không có tệp này (stored figure missing)")
        found = replace(figure, data=path.read_bytes())
        images.validate(found)
        return found
    except (images.FigureError, OSError) as err:
        if not strict:
            return figure
        raise GateError(chapter.expected, figure.line, "OUT003",
                        f"tệp hình {figure.name}: {err}") from None


def actual_cells(chapter: Chapter, fresh: bool,
                 read: Callable[[Path], Any] | None = None) -> list[store.Cell]:
    """The chapter's outputs: from a fresh kernel run, or from the book build's cache."""
    from d2lvi.outputs.execute import execute, read_chapter  # needs the kernel stack

    nb = (read or read_chapter)(chapter.source)
    _check_options(chapter, nb)  # before executing: bad input costs no kernel run
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
    return store.cells_from_notebook(nb, chapter.figures.name)


def _check_options(chapter: Chapter, nb: Any) -> None:
    """Every code cell's ``:tolerance:`` well formed, else a located ``GateError``."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code, start=1):
        try:
            store.declared_tolerance(index, cell.get("metadata", {}))
        except store.OptionError as err:
            text = chapter.source.read_text(encoding="utf-8")
            line = option_line(text, err.index, store.TOLERANCE_KEY)
            raise GateError(chapter.source, line, "OUT002", str(err)) from None


def entries(chapter: Chapter, found: list[compare.Divergence]) -> list[report.Entry]:
    """Each divergence located (source line of the cell, or stored line when removed)."""
    lines = code_cell_lines(chapter.source.read_text(encoding="utf-8"))
    out = []
    for d in found:
        if d.kind == "missing":
            where = f"{chapter.expected}:{d.old.line if d.old and d.old.line else 1}"
        else:
            where = f"{chapter.source}:{lines[d.index - 1] if d.index <= len(lines) else 1}"
        message = f"OUT001 ô mã {d.index} `{d.first_line}`: {WHAT[d.kind]}"
        out.append(report.Entry(where, message, d))
    return out


def terminal(located: Iterable[report.Entry]) -> str:
    """The terminal report: one located line per divergent cell, then its diff."""
    return "\n".join(f"{e.location}: {e.message}\n{e.divergence.diff}" for e in located)


def report_text(chapter: Chapter, found: list[compare.Divergence]) -> str:
    """Human-readable report of one chapter's divergences, for the terminal."""
    return terminal(entries(chapter, found))


def write_report(folder: Path, results: list[report.ChapterResult], title: str) -> Path:
    """Write the HTML report (``folder/index.html``) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_NAME
    path.write_text(report.render(results, title), encoding="utf-8")
    return path


def divergences(chapter: Chapter, fresh: bool, read: Callable[[Path], Any] | None = None,
                settings: compare.Settings | None = None
                ) -> tuple[int, list[compare.Divergence]]:
    """How many cells are stored, and every cell whose outputs differ from the stored ones."""
    expected = stored_cells(chapter)
    return len(expected), compare.compare(expected, actual_cells(chapter, fresh, read), settings)


def check_many(chapters: list[Chapter], fresh: bool, settings: compare.Settings | None = None,
               report_dir: Path | None = None) -> int:
    """Compare every chapter, print a diff per divergent cell; 0 when all outputs match."""
    results, status = [], 0
    for chapter in chapters:
        stored, found = divergences(chapter, fresh, settings=settings)
        located = entries(chapter, found)
        results.append(report.ChapterResult(str(chapter.source), str(chapter.expected),
                                            stored, tuple(located)))
        if found:
            print(terminal(located))
            print(f"{len(found)} ô mã có đầu ra khác {chapter.expected} "
                  "— nếu thay đổi là có chủ đích, chạy `make update-outputs`.", file=sys.stderr)
            status = 1
        else:
            print(f"{chapter.source}: {stored} ô mã, mọi đầu ra khớp {chapter.expected}")
    if report_dir is not None:
        path = write_report(report_dir, results, "Cổng so sánh đầu ra (output gate)")
        if status:
            print(f"Báo cáo HTML (HTML report): {path}", file=sys.stderr)
    return status


def check(chapter: Chapter, fresh: bool, settings: compare.Settings | None = None,
          report_dir: Path | None = None) -> int:
    """Compare one chapter and print a diff per divergent cell; 0 when all outputs match."""
    return check_many([chapter], fresh, settings, report_dir)


def _figure_files(chapter: Chapter, cells: list[store.Cell]) -> tuple[list[Path], list[Path]]:
    """Figure files to write (new or changed bytes) and stored ones no cell references now."""
    wanted = {chapter.expected.parent / f.name: f.data for c in cells for f in c.figures}
    write = [p for p, data in wanted.items() if not p.is_file() or p.read_bytes() != data]
    stored = chapter.figures.iterdir() if chapter.figures.is_dir() else iter(())
    stale = sorted(p for p in stored if FIGURE_FILE.match(p.name) and p not in wanted)
    return write, stale


def update(chapter: Chapter, dry_run: bool = False, settings: compare.Settings | None = None,
           report_dir: Path | None = None) -> int:
    """Execute freshly, show what changes (figures included), then store the new outputs."""
    cells = actual_cells(chapter, fresh=True)
    new = store.render(cells, chapter.source.as_posix())
    exists = chapter.expected.exists()
    old = chapter.expected.read_text(encoding="utf-8") if exists else ""
    write, stale = _figure_files(chapter, cells)
    if old == new and not write and not stale:
        print(f"{chapter.expected}: không có thay đổi (unchanged)")
        return 0
    found = compare.compare(stored_cells(chapter, strict=False) if exists else [], cells, settings)
    located = entries(chapter, found)
    if located:
        print(terminal(located))
    for path in write:
        print(f"  ghi hình (write figure): {path}")
    for path in stale:
        print(f"  xoá hình không còn dùng (remove unused figure): {path}")
    if report_dir is not None:
        result = report.ChapterResult(str(chapter.source), str(chapter.expected), len(cells),
                                      tuple(located))
        path = write_report(report_dir, [result], "Đầu ra sẽ được chấp nhận (outputs to accept)")
        print(f"Báo cáo HTML (HTML report): {path}")
    if dry_run:
        print(f"{chapter.expected}: {len(found)} ô mã sẽ đổi — chưa ghi gì (dry run)")
        return 0
    for cell in cells:
        for figure in cell.figures:
            path = chapter.expected.parent / figure.name
            if path in write:
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_atomically(path, figure.data or b"")
    for path in stale:
        path.unlink()
    if chapter.figures.is_dir() and not any(chapter.figures.iterdir()):
        chapter.figures.rmdir()
    _write_atomically(chapter.expected, new.encode("utf-8"))
    print(f"{chapter.expected}: đã cập nhật {len(found)} ô mã (updated)")
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a stored file through a temporary one and a rename: Ctrl-C never leaves half."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
