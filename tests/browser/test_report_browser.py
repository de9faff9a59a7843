"""The divergence report in a real browser: both figures render, their difference shows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from d2lvi.outputs import compare, report, store
from d2lvi.outputs.images import Figure
from tests.outputs.plots import line_plot

SCREENSHOTS = Path(__file__).resolve().parents[2] / "_build" / "screenshots"


def figure_cell(index: int, ys: tuple[float, ...], fmt: str) -> store.Cell:
    """A cell drawing one figure."""
    mime = {"svg": "image/svg+xml", "png": "image/png"}[fmt]
    name = f"c.outputs/cell-{index:02d}-1.{fmt}"
    return store.Cell(index, f"plot{index}()", f"[display]\n[{mime}] {name}",
                      (Figure(mime, name, line_plot(ys, fmt, dpi=72)),))


def report_page(tmp_path: Path) -> Path:
    """A report with a changed SVG figure, a changed PNG one, and one unchanged (as a control)."""
    old = [figure_cell(1, (0, 1, 4), "svg"), figure_cell(2, (0, 1, 4), "png")]
    new = [figure_cell(1, (0, 1, 8), "svg"), figure_cell(2, (0, 1, 8), "png")]
    found = compare.compare(old, new)
    same = old[0].figures[0]
    control = compare.Divergence(3, "plot3()", "changed", "", old[0], old[0],
                                 (compare.FigureChange(same, same, "giống nhau (control)"),))
    entries = tuple(report.Entry(f"c.md:{d.index}", "OUT001", d) for d in [*found, control])
    path = tmp_path / "index.html"
    path.write_text(report.render([report.ChapterResult("c.md", "c.outputs.txt", 3, entries)]),
                    encoding="utf-8")
    return path


def brightest(png: bytes) -> int:
    """The brightest channel value inside a screenshot (its edge pixels may be the page's)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    inside = image.crop((2, 2, image.width - 2, image.height - 2))
    return max(hi for _, hi in inside.getextrema())


def test_report_renders_both_figures_and_their_difference(browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(report_page(tmp_path).as_uri())
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        widths = page.evaluate("() => [...document.images].map(i => i.naturalWidth)")
        blends = page.locator(".blend")
        shots = [blends.nth(k).screenshot() for k in range(blends.count())]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "output-gate-report.png"), full_page=True)
    finally:
        page.close()
    # Per cell: stored, new, and both again in the blended difference.
    assert len(widths) == 12 and all(w > 0 for w in widths), widths
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    changed_svg, changed_png, unchanged = (brightest(s) for s in shots)
    assert changed_svg > 128 and changed_png > 128  # the moved curve lights up
    assert unchanged < 16  # identical figures blend to black
