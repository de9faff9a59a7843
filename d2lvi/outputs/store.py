"""The output gate's stored form: notebook outputs as reviewable text, figures as files beside it.

The stored form is plain text, one section per code cell::

    ## [3] X = np.array([[0, 1], [2, 3]])
    [result]
    array([[ 0.,  0.,  1.],
    ...
    ## [4] d2l.plot(x, [x ** 2])
    [display]
    <Figure size 350x250 with 1 Axes>
    [image/svg+xml] transposed-conv.outputs/cell-04-1.svg

A figure (SVG, PNG, JPEG) is a file in the folder beside the text form, named after the
cell and its place in it, referenced by one line so a reviewer can open it.

Normalisation is deliberately minimal: trailing whitespace is dropped from every line
and trailing blank lines from every output; consecutive stream outputs of the same name
are merged; a memory address in a repr (``<… at 0x7f…>``) is written ``0x…``. Nothing
else is rewritten. A cell tagged ``skip-output-check`` (timings) is listed but its outputs
are not compared.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from d2lvi.outputs import tolerance
from d2lvi.outputs.images import EXTENSIONS, FIGURE_MIMES, Figure, payload

SKIP_TAG = "skip-output-check"
# A cell the build does not run (MyST-NB and nbclient honour the tag) and the option that says why.
SKIP_EXECUTION_TAG = "skip-execution"
NOT_EXECUTED_KEY = "not-executed"
TOLERANCE_KEY = "tolerance"
HEADER = re.compile(r"^## \[(\d+)\] ?(.*)$")
FIGURE_LINE = re.compile(r"^\[(" + "|".join(re.escape(m) for m in FIGURE_MIMES) + r")\] (\S.*)$")
ADDRESS = re.compile(r"(?<= at )0x[0-9a-fA-F]+(?=>)")
PREAMBLE = (
    "# Expected outputs of {source}, one section per code cell.\n"
    "# Accept new outputs on purpose with `make update-outputs` (see README).\n"
)
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "text/html", "application/json")


class OptionError(ValueError):
    """A code cell option the gate cannot use (``index``: the 1-based code cell)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Cell:
    """One code cell's section of the stored form, with the figures it references."""

    index: int
    first_line: str
    body: str
    figures: tuple[Figure, ...] = ()
    source: str = field(default="", compare=False)  # the code, when known (not stored)
    tolerance: tolerance.Tolerance | None = field(default=None, compare=False)  # declared
    line: int = field(default=0, compare=False)  # header line in the stored file

    @property
    def header(self) -> str:
        """The section's header line."""
        return f"## [{self.index}] {self.first_line}".rstrip()

    @property
    def text(self) -> str:
        """The body as compared: a figure reference without its file name (cells may move)."""
        return "\n".join(f"[{m[1]}]" if (m := FIGURE_LINE.match(line)) else line
                         for line in self.body.split("\n"))

    def render(self) -> str:
        """The section as stored."""
        return f"{self.header}\n{self.body}".rstrip() + "\n"


def _clean(text: str) -> str:
    """Drop trailing whitespace of each line and trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _join(value: str | list[str]) -> str:
    """nbformat stores multiline strings as str or list of str."""
    return value if isinstance(value, str) else "".join(value)


def _text(text: str) -> str:
    """Printed or displayed text, with memory addresses (different on every run) masked."""
    return ADDRESS.sub("0x…", text)


class _Writer:
    """Builds one cell's body, naming its figures in order."""

    def __init__(self, index: int, folder: str) -> None:
        self.index, self.folder = index, folder
        self.figures: list[Figure] = []

    def data(self, data: dict[str, Any]) -> str:
        """One rich output as text: its text form, then one line per figure it carries."""
        lines = [_clean(_join(data[m])) for m in TEXT_MIMES if m in data][:1]
        for mime in (m for m in FIGURE_MIMES if m in data):
            number = len(self.figures) + 1
            name = f"cell-{self.index:02d}-{number}.{EXTENSIONS[mime]}"
            name = f"{self.folder}/{name}" if self.folder else name
            self.figures.append(Figure(mime, name, payload(mime, data[mime])))
            lines.append(f"[{mime}] {name}")
        if not lines:  # neither text nor figure: a digest of the richest form
            mime = sorted(data)[0] if data else "application/octet-stream"
            digest = hashlib.sha256(_join(data.get(mime, "")).encode()).hexdigest()[:16]
            lines.append(f"<{mime} sha256:{digest}>")
        return "\n".join(lines)

    def outputs(self, outputs: list[dict[str, Any]]) -> str:
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
            if kind in ("execute_result", "display_data"):
                label = "[result]" if kind == "execute_result" else "[display]"
                parts.append([label, self.data(out.get("data", {}))])
            elif kind == "error":
                parts.append(["[error]", f"{out.get('ename', '')}: {out.get('evalue', '')}"])
        if not parts:
            return "(no output)"
        return "\n".join(f"{label}\n{_clean(_text(text))}".rstrip() for label, text in parts)


def first_code_line(source: str) -> str:
    """A cell's first non-blank code line, the name under which it is reported."""
    return next((line.strip() for line in source.split("\n") if line.strip()), "")


def declared_tolerance(index: int, metadata: dict[str, Any]) -> tolerance.Tolerance | None:
    """The tolerance a cell declares in its options, if any; ``OptionError`` when malformed."""
    if TOLERANCE_KEY not in metadata:
        return None
    try:
        return tolerance.parse(metadata[TOLERANCE_KEY])
    except tolerance.ToleranceError as err:
        raise OptionError(index, f":tolerance: không hợp lệ (invalid): {err}") from None


def cells_from_notebook(nb: dict[str, Any], folder: str = "") -> list[Cell]:
    """The stored-form sections of a notebook's code cells; figures named under ``folder``."""
    cells = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code, start=1):
        metadata = cell.get("metadata", {})
        source = _join(cell["source"])
        writer = _Writer(index, folder)
        tags = metadata.get("tags", [])
        if SKIP_EXECUTION_TAG in tags:
            # Stored as such, so a cell that starts running (or stops) is a divergence.
            reason = " ".join(str(metadata.get(NOT_EXECUTED_KEY, "")).split())
            body = f"(not executed: {reason})\n{writer.outputs(cell.get('outputs', []))}"
        elif SKIP_TAG in tags:
            body = f"(output not compared: tag {SKIP_TAG})"
        else:
            body = writer.outputs(cell.get("outputs", []))
        cells.append(Cell(index, first_code_line(source), body, tuple(writer.figures),
                          source=source, tolerance=declared_tolerance(index, metadata)))
    return cells


def render(cells: list[Cell], source: str) -> str:
    """The whole stored text form."""
    return PREAMBLE.format(source=source) + "\n" + "\n".join(c.render() for c in cells)


def parse(text: str) -> list[Cell]:
    """Read a stored text form back into sections; figures are referenced, not yet read."""
    cells: list[Cell] = []
    current: tuple[int, str, int] | None = None
    body: list[str] = []
    figures: list[Figure] = []

    def close() -> None:
        """End the section being read."""
        if current:
            cells.append(Cell(current[0], current[1], _clean("\n".join(body)), tuple(figures),
                              line=current[2]))

    for number, line in enumerate(text.split("\n"), start=1):
        if m := HEADER.match(line):
            close()
            current, body, figures = (int(m.group(1)), m.group(2).strip(), number), [], []
        elif current:
            body.append(line)
            if m := FIGURE_LINE.match(line.rstrip()):
                figures.append(Figure(m[1], m[2].strip(), None, number))
    close()
    return cells
