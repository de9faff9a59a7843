"""A freshly imported section's one execution: which cells cannot run here, and its outputs.

The section runs once in the seeded kernel, every error recorded. A cell that raises (it
downloads a dataset, needs a GPU, depends on such a cell) or runs past the import's time
limit is reported with its template line and exception, and marked ``skip-execution`` with
a ``not-executed`` reason, which the build, ``make check`` and the page honour; the section
then runs again without it, until no new cell fails. The outputs of that last run are the
section's stored outputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from d2lvi.config import project_config
from d2lvi.outputs import store
from d2lvi.outputs.execute import execute
from d2lvi.outputs.gate import Chapter

CELL_FENCE = re.compile(r"^```\{code-cell\}")
MAX_RUNS = 4  # each run can only reveal cells that depend on the ones marked before
DEFAULT_TIMEOUT = 120  # seconds a cell may run during an import ([tool.d2lvi] import_cell_timeout)
NETWORK = re.compile(r"URLError|ConnectionError|gaierror|HTTPError|MaxRetryError|name resolution"
                     r"|Network is unreachable|Connection refused|download", re.I)
GPU = re.compile(r"CUDA|GPU|cudnn|nvrtc", re.I)


@dataclass(frozen=True)
class FailedCell:
    """A code cell that cannot run where the book is built."""

    index: int  # 1-based code cell number
    line: int  # its line in the imported template
    ename: str
    evalue: str
    reason: str  # the Vietnamese reason written into the cell's options

    def report(self, src: Path) -> str:
        """One located line for the user."""
        value = " ".join(self.evalue.split())[:160]
        return (f"{src}:{self.line}: ô mã {self.index} không chạy được ở đây ({self.ename}: "
                f"{value}); đã đánh dấu skip-execution, lý do: {self.reason}")


def reason_for(ename: str, evalue: str, timeout: int) -> str:
    """Why a cell does not run, in words a reader understands."""
    message = f"{ename}: {evalue}"
    if ename in ("KeyboardInterrupt", "CellTimeoutError") or "timed out" in evalue:
        return f"chạy quá {timeout} giây trên CPU của máy dựng sách (huấn luyện lâu)"
    if NETWORK.search(message):
        return "cần tải dữ liệu qua mạng, mà máy dựng sách không có mạng"
    if GPU.search(message):
        return "cần GPU, mà máy dựng sách chỉ có CPU"
    if ename == "NameError":
        return "dùng kết quả của một ô mã phía trên không được chạy khi dựng sách"
    return f"lỗi khi chạy ở máy dựng sách ({ename})"


def mark(myst: str, index: int, reason: str) -> str:
    """The chapter with its ``index``-th code cell tagged ``skip-execution`` and the reason."""
    lines = myst.split("\n")
    fences = [k for k, line in enumerate(lines) if CELL_FENCE.match(line)]
    at = fences[index - 1] + 1
    lines[at:at] = [f":tags: [{store.SKIP_EXECUTION_TAG}]",
                    f":{store.NOT_EXECUTED_KEY}: {json.dumps(reason, ensure_ascii=False)}"]
    return "\n".join(lines)


def _errors(nb: dict) -> dict[int, tuple[str, str]]:
    """The code cells (1-based) whose outputs hold an error, with its name and message."""
    out = {}
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                out[index] = (output.get("ename", ""), output.get("evalue", ""))
                break
    return out


def run_once(myst: str, chapter: Path, template_lines: list[int], root: Path
             ) -> tuple[str, dict[Path, bytes], list[FailedCell]]:
    """Execute the chapter; its text with failing cells marked, its stored-output files
    (text form and figures, by path in the book; none without code cells), the failed cells."""
    import jupytext  # the kernel stack is needed only when an import executes

    timeout = int(project_config(root).get("import_cell_timeout", DEFAULT_TIMEOUT))
    cwd = root / chapter.parent if (root / chapter.parent).is_dir() else root
    failed: list[FailedCell] = []
    for _ in range(MAX_RUNS):
        nb = jupytext.reads(myst, fmt="md:myst")
        if not any(c.cell_type == "code" for c in nb.cells):
            return myst, {}, []
        nb = execute(nb, cwd=cwd, timeout=timeout, interrupt_on_timeout=True)
        new = _errors(nb)
        if not new:
            break
        for index, (ename, evalue) in sorted(new.items()):
            reason = reason_for(ename, evalue, timeout)
            line = template_lines[index - 1] if index <= len(template_lines) else 1
            failed.append(FailedCell(index, line, ename, evalue, reason))
            myst = mark(myst, index, reason)
    return myst, stored_files(nb, chapter), failed


def stored_files(nb: Any, chapter: Path) -> dict[Path, bytes]:
    """The files ``make update-outputs`` would store for this run: text form and figures."""
    stored = Chapter.at(chapter)
    cells = store.cells_from_notebook(nb, stored.figures.name)
    files = {stored.expected: store.render(cells, chapter.as_posix()).encode()}
    files.update({chapter.parent / f.name: f.data or b"" for c in cells for f in c.figures})
    return files
