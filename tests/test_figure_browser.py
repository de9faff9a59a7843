"""The committed figure renders at a readable size in a real browser (Chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FIGURE = Path(__file__).resolve().parents[1] / "img" / "trans_conv.svg"
# Flags keep the headless browser offline and quiet in CI containers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The book's content column is roughly 700-800 px wide.
PAGE = """<!doctype html>
<html lang="vi"><meta charset="utf-8">
<body style="margin:16px;background:#fff">
<img id="fig" src="trans_conv.svg" alt="Tích chập chuyển vị" style="max-width:760px">
</body></html>
"""


def test_figure_displays_at_a_readable_size_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        # A silent skip would let CI pass without ever looking at the figure.
        pytest.fail(
            f"{CHROMIUM} not found; install it with: apt-get install -y chromium"
        )
    shutil.copy(FIGURE, tmp_path / "trans_conv.svg")
    page_file = tmp_path / "page.html"
    page_file.write_text(PAGE, encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 400})
            page.goto(page_file.as_uri())
            # Wait for loading to finish only; a broken SVG then fails the
            # naturalWidth assertion below instead of a vague timeout.
            page.wait_for_function(
                "() => document.getElementById('fig').complete", timeout=10_000
            )
            size = page.evaluate(
                "() => { const i = document.getElementById('fig');"
                " const r = i.getBoundingClientRect();"
                " return {width: r.width, height: r.height, natural: i.naturalWidth}; }"
            )
            page.locator("#fig").screenshot(path=str(tmp_path / "trans_conv.png"))
        finally:
            browser.close()

    assert size["natural"] > 0
    assert size["width"] >= 600, size
    assert size["height"] >= 120, size
    assert (tmp_path / "trans_conv.png").stat().st_size > 0
