"""The committed figure renders at a readable size in a real browser (Chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

FIGURE = Path(__file__).resolve().parents[2] / "img" / "trans_conv.svg"
# The book's content column is roughly 700-800 px wide.
PAGE = """<!doctype html>
<html lang="vi"><meta charset="utf-8">
<body style="margin:16px;background:#fff">
<img id="fig" src="trans_conv.svg" alt="Tích chập chuyển vị" style="max-width:760px">
</body></html>
"""


def test_figure_displays_at_a_readable_size_in_chromium(browser: Any, tmp_path: Path) -> None:
    shutil.copy(FIGURE, tmp_path / "trans_conv.svg")
    page_file = tmp_path / "page.html"
    page_file.write_text(PAGE, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 400})
    try:
        page.goto(page_file.as_uri())
        # Wait for loading to finish only; a broken SVG then fails the
        # naturalWidth assertion below instead of a vague timeout.
        page.wait_for_function("() => document.getElementById('fig').complete", timeout=10_000)
        size = page.evaluate(
            "() => { const i = document.getElementById('fig');"
            " const r = i.getBoundingClientRect();"
            " return {width: r.width, height: r.height, natural: i.naturalWidth}; }"
        )
        page.locator("#fig").screenshot(path=str(tmp_path / "trans_conv.png"))
    finally:
        page.close()
    assert size["natural"] > 0
    assert size["width"] >= 600, size
    assert size["height"] >= 120, size
