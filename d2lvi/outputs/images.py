"""Figures in outputs: their files, and their comparison (SVG by content, rasters by pixels).

An SVG figure is compared through its canonical lines (``svg.canonical``): same elements,
texts and colours, coordinates within the tolerance. A PNG or JPEG figure is compared by
pixels, as ``matplotlib.testing.compare`` does: same size, and the root mean square of the
pixel difference at most the tolerance's ``rms``.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field
from typing import Any

from d2lvi.outputs import svg
from d2lvi.outputs.tolerance import Tolerance, align, text_matches, unified

SVG = "image/svg+xml"
RASTERS = ("image/png", "image/jpeg")
FIGURE_MIMES = (SVG, *RASTERS)
EXTENSIONS = {SVG: "svg", "image/png": "png", "image/jpeg": "jpg"}


class FigureError(ValueError):
    """A figure that cannot be read (the message says why; the caller adds where)."""


@dataclass(frozen=True)
class Figure:
    """One figure of an output: its type, its file name beside the text form, its bytes."""

    mime: str
    name: str
    data: bytes | None = None  # None until the stored file is read
    line: int = field(default=0, compare=False)  # line of its reference in the stored text


def payload(mime: str, value: str | list[str]) -> bytes:
    """A notebook output's figure as file bytes (SVG is text, rasters are base64)."""
    text = value if isinstance(value, str) else "".join(value)
    if mime == SVG:
        return text.encode("utf-8")
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as err:
        raise FigureError(f"dữ liệu {mime} không phải base64: {err}") from None


def _pixels(data: bytes) -> Any:
    """A raster's pixels; opaque RGBA as RGB, like ``matplotlib.testing.compare``."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise FigureError(f"không đọc được ảnh: {err} (not a readable image)") from None
    if img.mode != "RGBA" or img.getextrema()[3][0] == 255:
        img = img.convert("RGB")
    # Signed, so that the difference of two pixels does not wrap around.
    return np.asarray(img).astype(np.int16)


def canonical_lines(figure: Figure) -> list[str]:
    """An SVG figure's canonical lines; ``FigureError`` when it is unreadable."""
    try:
        return svg.canonical(figure.data or b"")
    except svg.SvgError as err:
        raise FigureError(str(err)) from None


def validate(figure: Figure) -> None:
    """Raise ``FigureError`` unless the figure's bytes are a readable image of its type."""
    if not figure.data:
        raise FigureError("tệp rỗng (empty file)")
    if figure.mime == SVG:
        canonical_lines(figure)
    else:
        _pixels(figure.data)


@dataclass(frozen=True)
class FigureDiff:
    """How two figures differ: one line for the terminal, details for whoever looks closer."""

    summary: str
    detail: tuple[str, ...] = ()


def compare(old: Figure, new: Figure, tol: Tolerance) -> FigureDiff | None:
    """None when two figures of the same type match within the tolerance, else how they differ."""
    if old.mime != new.mime:
        return FigureDiff(f"kiểu khác: {old.mime} → {new.mime} (figure type changed)")
    if old.mime == SVG:
        a, b = canonical_lines(old), canonical_lines(new)
        if text_matches("\n".join(a), "\n".join(b), tol):
            return None
        changed = sum(not row.same for row in align(a, b, tol))
        return FigureDiff(f"{changed} phần tử khác, ngoài dung sai {tol} "
                          "(elements differ)", tuple(unified(a, b, tol)[2:]))
    from matplotlib.testing.compare import calculate_rms

    a, b = _pixels(old.data or b""), _pixels(new.data or b"")
    if a.shape != b.shape:
        return FigureDiff(f"kích thước khác: {_size(a)} → {_size(b)} (image size changed)")
    rms = float(calculate_rms(a, b))
    if rms <= tol.rms:
        return None
    return FigureDiff(f"điểm ảnh khác: RMS {rms:.3f} > {tol.rms:g} (pixels differ)")


def _size(pixels: Any) -> str:
    """An image's size as width×height."""
    return f"{pixels.shape[1]}×{pixels.shape[0]}"
