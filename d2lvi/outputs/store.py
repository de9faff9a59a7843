"""The output gate's core: notebook outputs as reviewable text, and their comparison.

The stored form is plain text, one section per code cell::

    ## [3] X = np.array([[0, 1], [2, 3]])
    [result]
    array([[ 0.,  0.,  1.],
    ...

Normalisation is deliberately minimal: trailing whitespace is dropped from every line
and trailing blank lines from every output; consecutive stream outputs of the same name
are merged. Nothing else is rewritten. A cell tagged ``skip-output-check`` (timings,
memory addresses) is listed but its outputs are not compared.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import Any

SKIP_TAG = "skip-output-check"
# A cell the build does not run (MyST-NB and nbclient honour the tag) and the option that says why.
SKIP_EXECUTION_TAG = "skip-execution"
NOT_EXECUTED_KEY = "not-executed"
HEADER = re.compile(r"^## \[(\d+)\] ?(.*)$")
PREAMBLE = (
    "# Expected outputs of {source}, one section per code cell.\n"
    "# Accept new outputs on purpose with `make update-outputs` (see README).\n"
)
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "text/html", "application/json")


@dataclass(frozen=True)
class Cell:
    """One code cell's section of the text form."""

    index: int
    first_line: str
    body: str

    @property
    def header(self) -> str:
        """The section's header line."""
        return f"## [{self.index}] {self.first_line}".rstrip()

    def render(self) -> str:
        """The section as stored."""
        return f"{self.header}\n{self.body}".rstrip() + "\n"


@dataclass(frozen=True)
class Divergence:
    """A cell whose outputs differ from the stored ones."""

    index: int  # 1-based code cell number, from whichever side has the cell
    first_line: str
    kind: str  # changed, missing (stored but not produced), extra (produced, not stored)
    diff: str


def _clean(text: str) -> str:
    """Drop trailing whitespace of each line and trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _join(value: str | list[str]) -> str:
    """nbformat stores multiline strings as str or list of str."""
    return value if isinstance(value, str) else "".join(value)


def _data_text(data: dict[str, Any]) -> str:
    """One rich output as text: the plain text, else a digest of the richest form."""
    for mime in TEXT_MIMES:
        if mime in data:
            return _clean(_join(data[mime]))
    mime = sorted(data)[0]
    digest = hashlib.sha256(_join(data[mime]).encode()).hexdigest()[:16]
    return f"<{mime} sha256:{digest}>"


def _outputs_text(outputs: list[dict[str, Any]]) -> str:
    """A cell's outputs as text, streams of the same name merged."""
    parts: list[list[str]] = []
    last_stream = None
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            name = out.get("name", "stdout")
            text = _join(out.get("text", ""))
            if last_stream == name:
                parts[-1][1] += text
            else:
                parts.append([f"[{name}]", text])
            last_stream = name
            continue
        last_stream = None
        if kind == "execute_result":
            parts.append(["[result]", _data_text(out.get("data", {}))])
        elif kind == "display_data":
            parts.append(["[display]", _data_text(out.get("data", {}))])
        elif kind == "error":
            parts.append(["[error]", f"{out.get('ename', '')}: {out.get('evalue', '')}"])
    if not parts:
        return "(no output)"
    return "\n".join(f"{label}\n{_clean(text)}".rstrip() for label, text in parts)


def first_code_line(source: str) -> str:
    """A cell's first non-blank code line, the name under which it is reported."""
    return next((line.strip() for line in source.split("\n") if line.strip()), "")


def cells_from_notebook(nb: dict[str, Any]) -> list[Cell]:
    """The text-form sections of a notebook's code cells."""
    cells = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code, start=1):
        metadata = cell.get("metadata", {})
        tags = metadata.get("tags", [])
        if SKIP_EXECUTION_TAG in tags:
            # Stored as such, so a cell that starts running (or stops) is a divergence.
            reason = " ".join(str(metadata.get(NOT_EXECUTED_KEY, "")).split())
            body = f"(not executed: {reason})\n{_outputs_text(cell.get('outputs', []))}"
        elif SKIP_TAG in tags:
            body = f"(output not compared: tag {SKIP_TAG})"
        else:
            body = _outputs_text(cell.get("outputs", []))
        cells.append(Cell(index, first_code_line(_join(cell["source"])), body))
    return cells


def render(cells: list[Cell], source: str) -> str:
    """The whole stored text form."""
    return PREAMBLE.format(source=source) + "\n" + "\n".join(c.render() for c in cells)


def parse(text: str) -> list[Cell]:
    """Read a stored text form back into sections; preamble comments are ignored."""
    cells: list[Cell] = []
    current: tuple[int, str] | None = None
    body: list[str] = []
    for line in text.split("\n"):
        if m := HEADER.match(line):
            if current:
                cells.append(Cell(current[0], current[1], _clean("\n".join(body))))
            current, body = (int(m.group(1)), m.group(2).strip()), []
        elif current:
            body.append(line)
    if current:
        cells.append(Cell(current[0], current[1], _clean("\n".join(body))))
    return cells


def compare(expected: list[Cell], actual: list[Cell]) -> list[Divergence]:
    """Every cell whose outputs differ, aligning cells by their first code line."""
    matcher = difflib.SequenceMatcher(
        a=[c.first_line for c in expected], b=[c.first_line for c in actual], autojunk=False
    )
    found = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        olds, news = expected[a0:a1], actual[b0:b1]
        if op == "equal" or (op == "replace" and len(olds) == len(news)):
            # Indices may shift when a cell is added earlier; the body and name decide.
            found += [
                _changed(old, new)
                for old, new in zip(olds, news, strict=True)
                if (old.first_line, old.body) != (new.first_line, new.body)
            ]
            continue
        found += [_one_sided(c, "missing") for c in olds]
        found += [_one_sided(c, "extra") for c in news]
    return found


def _changed(old: Cell, new: Cell) -> Divergence:
    """A cell present on both sides whose text differs."""
    diff = difflib.unified_diff(
        old.render().splitlines(), new.render().splitlines(),
        "expected", "actual", lineterm="", n=3,
    )
    return Divergence(new.index, new.first_line, "changed", "\n".join(diff))


def _one_sided(cell: Cell, kind: str) -> Divergence:
    """A cell only stored (missing) or only produced (extra)."""
    sign = "-" if kind == "missing" else "+"
    lines = "\n".join(sign + line for line in cell.render().splitlines())
    return Divergence(cell.index, cell.first_line, kind, lines)
