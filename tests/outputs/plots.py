"""Real matplotlib figures for the figure-comparison tests (a helper module, not collected)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure as MplFigure


def line_plot(ys: tuple[float, ...] = (0, 1, 4, 9), fmt: str = "svg", *,
              colour: str | None = None, dpi: int | None = None,
              size: tuple[float, float] = (3.5, 2.5)) -> bytes:
    """A line plot of ``ys`` as SVG or PNG bytes (matplotlib's defaults where not given)."""
    fig = MplFigure(figsize=size, **({"dpi": dpi} if dpi else {}))
    fig.add_subplot().plot(range(len(ys)), ys, **({"color": colour} if colour else {}))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()
