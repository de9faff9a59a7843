"""Generate img/trans_conv.svg from the transposed-convolution computation itself.

The figure is derived from the numbers, so text and picture cannot drift apart:
``python -m d2lvi.figures.trans_conv`` rewrites it, ``--check`` verifies the committed copy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

# The worked example of the section (d2l: "Basic Operation").
X = np.array([[0, 1], [2, 3]])
K = np.array([[0, 1], [2, 3]])

DEFAULT_OUTPUT = Path("img") / "trans_conv.svg"


@dataclass(frozen=True)
class Style:
    """All tunable sizes (SVG user units) and colours of the figure."""

    cell: int = 40  # even, so cell centres stay integers
    operator_gap: int = 34  # horizontal room for "*", "+", "="
    margin: int = 14
    label_height: int = 28  # band above the grids holding the labels
    label_gap: int = 10  # label baseline distance above the tallest grid
    font_family: str = "DejaVu Sans, Noto Sans, Arial, sans-serif"
    number_size: int = 18
    label_size: int = 17
    operator_size: int = 24
    grid_line: str = "#5f6b7a"
    shade: str = "#cfe3f7"  # light blue of the contributing cells
    text: str = "#1f2933"
    muted: str = "#9aa5b1"  # the zeros that only pad the 3x3 grid


STYLE = Style()


# --- computation -----------------------------------------------------------


def intermediate_tensors(x: np.ndarray, k: np.ndarray) -> list[np.ndarray]:
    """Return x[i, j] * k placed at offset (i, j) of a zero grid, row-major."""
    out_shape = (x.shape[0] + k.shape[0] - 1, x.shape[1] + k.shape[1] - 1)
    parts = []
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            part = np.zeros(out_shape, dtype=np.result_type(x, k))
            part[i : i + k.shape[0], j : j + k.shape[1]] = x[i, j] * k
            parts.append(part)
    return parts


def trans_conv(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Return the transposed convolution of x with k (stride 1, no padding)."""
    return np.sum(intermediate_tensors(x, k), axis=0)


def contribution_masks(x: np.ndarray, k: np.ndarray) -> list[np.ndarray]:
    """Return, per input element, which output cells its kernel copy covers."""
    # Masks come from the placement, not from the values: X[0, 0] = 0 still
    # "contributes" a block of zeros and must be shaded like the others.
    ones = np.ones_like(k)
    return [part.astype(bool) for part in intermediate_tensors(np.ones_like(x), ones)]


# --- drawing ---------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """A matrix to draw, with its SVG id, label and per-cell shading."""

    gid: str
    values: np.ndarray
    label: str = ""
    shaded: np.ndarray | None = None


def _grid_svg(grid: _Grid, left: int, top: int, style: Style) -> list[str]:
    """Return the SVG lines of one grid group whose top-left corner is given."""
    c = style.cell
    # Shift the baseline down by ~0.35em instead of dominant-baseline, which
    # some SVG renderers (rsvg, older Inkscape) ignore.
    baseline = c // 2 + round(style.number_size * 0.35)
    lines = [f'<g id="{grid.gid}" class="grid">']
    rows, cols = grid.values.shape
    for r in range(rows):
        for col in range(cols):
            x, y = left + col * c, top + r * c
            padding = grid.shaded is not None and not grid.shaded[r, col]
            fill = style.shade if grid.shaded is not None and not padding else "#ffffff"
            lines.append(
                f'<rect x="{x}" y="{y}" width="{c}" height="{c}" fill="{fill}"/>'
            )
            colour = f' fill="{style.muted}"' if padding else ""
            value = int(grid.values[r, col])
            lines.append(
                f'<text x="{x + c // 2}" y="{y + baseline}"{colour}>{value}</text>'
            )
    # Grid lines drawn once on top, so shared cell edges are not doubled.
    path = [f"M{left} {top + r * c}h{cols * c}" for r in range(rows + 1)]
    path += [f"M{left + col * c} {top}v{rows * c}" for col in range(cols + 1)]
    stroke = f'fill="none" stroke="{style.grid_line}" stroke-width="1"'
    lines.append(f'<path d="{"".join(path)}" {stroke}/>')
    lines.append("</g>")
    return lines


def render_svg(x: np.ndarray = X, k: np.ndarray = K, style: Style = STYLE) -> str:
    """Return the SVG text of the transposed-convolution figure."""
    parts = intermediate_tensors(x, k)
    masks = contribution_masks(x, k)
    out = trans_conv(x, k)
    # Layout sequence: grids interleaved with the operator shown before each.
    items: list[tuple[str, _Grid]] = [
        ("", _Grid("input", x, "Đầu vào")),
        ("*", _Grid("kernel", k, "Hạt nhân")),
    ]
    for n, (part, mask) in enumerate(zip(parts, masks, strict=True)):
        items.append(
            ("=" if n == 0 else "+", _Grid(f"intermediate-{n}", part, shaded=mask))
        )
    items.append(("=", _Grid("output", out, "Đầu ra")))

    c = style.cell
    tallest = max(g.values.shape[0] for _, g in items) * c
    top = style.margin + style.label_height
    mid = top + tallest // 2
    # One common label line reads calmer than labels at per-grid heights.
    label_y = top - style.label_gap
    body: list[str] = []
    cursor = style.margin
    for op, grid in items:
        if op:
            # "*" sits high in most fonts; drop it so all operators share a centre.
            drop = round(style.operator_size * (0.6 if op == "*" else 0.35))
            body.append(
                f'<text x="{cursor + style.operator_gap // 2}" y="{mid + drop}" '
                f'font-size="{style.operator_size}">{escape(op)}</text>'
            )
            cursor += style.operator_gap
        rows, cols = grid.values.shape
        grid_top = mid - rows * c // 2  # centre every grid on one midline
        if grid.label:
            body.append(
                f'<text x="{cursor + cols * c // 2}" y="{label_y}" '
                f'font-size="{style.label_size}">{escape(grid.label)}</text>'
            )
        body.extend(_grid_svg(grid, cursor, grid_top, style))
        cursor += cols * c
    width = cursor + style.margin
    height = top + tallest + style.margin

    title = f"Phép tích chập chuyển vị với hạt nhân {_shape_text(k)}"
    desc = (
        f"Đầu vào {_shape_text(x)} {_matrix_text(x)} tích chập chuyển vị với hạt nhân "
        f"{_shape_text(k)} {_matrix_text(k)}. Mỗi phần tử đầu vào nhân với hạt nhân, "
        f"kết quả đặt vào một lưới {_shape_text(out)} tại vị trí của phần tử đó "
        f"(các ô được tô màu xanh); cộng {len(parts)} lưới trung gian lại được đầu ra "
        f"{_shape_text(out)} {_matrix_text(out)}."
    )
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'role="img" aria-labelledby="title desc">'
        ),
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        # Presentation attributes rather than <style>: every SVG consumer
        # (browsers, rsvg, Inkscape for the PDF build) honours them alike.
        (
            f'<g font-family="{style.font_family}" font-size="{style.number_size}" '
            f'text-anchor="middle" fill="{style.text}">'
        ),
    ]
    return "\n".join(head + body + ["</g>", "</svg>"]) + "\n"


def _shape_text(m: np.ndarray) -> str:
    """Return a 2-D shape the way the book writes it, e.g. "2×2"."""
    return f"{m.shape[0]}×{m.shape[1]}"


def _matrix_text(m: np.ndarray) -> str:
    """Return a matrix as nested-list text with plain Python ints."""
    return str([[int(v) for v in row] for row in m])


# --- CLI ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Write the figure, or with --check report whether the file is stale."""
    parser = argparse.ArgumentParser(
        prog="python -m d2lvi.figures.trans_conv",
        description="Generate the transposed-convolution SVG.",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="SVG path to write"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs; write nothing"
    )
    args = parser.parse_args(argv)
    data = render_svg().encode("utf-8")
    if args.check:
        current = args.output.read_bytes() if args.output.is_file() else None
        if current != data:
            state = "is missing" if current is None else "is out of date"
            hint = f"python -m d2lvi.figures.trans_conv --output {args.output}"
            print(f"{args.output} {state}; regenerate with: {hint}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
