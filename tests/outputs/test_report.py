"""The HTML divergence report: both sides, highlighted changes, figures inlined, nothing fetched."""

import base64
import re
from html.parser import HTMLParser

from d2lvi.outputs import compare, report, store
from d2lvi.outputs.images import Figure
from tests.outputs.plots import line_plot


def cell(value: str, ys: tuple[float, ...]) -> store.Cell:
    """A cell printing a value and drawing one SVG figure."""
    name = "c.outputs/cell-02-1.svg"
    body = (f"[stdout]\nloss <b>{value}</b>\n[display]\n<Figure size 350x250 with 1 Axes>\n"
            f"[image/svg+xml] {name}")
    return store.Cell(2, "d2l.plot(x, y)", body, (Figure("image/svg+xml", name, line_plot(ys)),),
                      source="d2l.plot(x, y)\nprint('loss', v)")


def page() -> tuple[str, bytes, bytes]:
    """The report of one cell whose number and figure both changed."""
    old, new = cell("0.25", (0, 1, 4)), cell("0.75", (0, 1, 8))
    [d] = compare.compare([old], [new])
    entry = report.Entry("c.md:14", "OUT001 ô mã 2 `d2l.plot(x, y)`: đầu ra khác", d)
    result = report.ChapterResult("c.md", "c.outputs.txt", 3, (entry,))
    return report.render([result]), old.figures[0].data, new.figures[0].data


class Links(HTMLParser):
    """Every URL-carrying attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action")]


def test_the_report_shows_the_cell_its_code_and_both_outputs():
    html, _, _ = page()
    assert "c.md:14" in html and "OUT001 ô mã 2" in html
    assert "print(&#x27;loss&#x27;, v)" in html  # the cell's code, escaped
    assert "Đã lưu (stored)" in html and "Mới (new)" in html


def test_changed_characters_are_highlighted_and_outputs_escaped():
    html, _, _ = page()
    assert re.search(r"<del>2</del>", html) and re.search(r"<ins>7</ins>", html)
    assert "&lt;b&gt;" in html and "<b>0." not in html  # output text is never markup


def test_both_figures_are_inlined_side_by_side_and_blended_for_their_difference():
    html, old, new = page()
    old_uri = "data:image/svg+xml;base64," + base64.b64encode(old).decode()
    new_uri = "data:image/svg+xml;base64," + base64.b64encode(new).decode()
    assert html.count(old_uri) == 2 and html.count(new_uri) == 2  # side by side, then blended
    blend = html[html.index('class="blend"'):]
    assert blend.index(old_uri) < blend.index(new_uri)
    assert "mix-blend-mode:difference" in html


def test_the_page_loads_nothing_from_anywhere():
    html, _, _ = page()
    links = Links()
    links.feed(html)
    assert links.urls and all(u.startswith("data:") for u in links.urls)
    assert "<script" not in html and "@import" not in html


def test_a_clean_run_says_so():
    html = report.render([report.ChapterResult("c.md", "c.outputs.txt", 11)])
    assert "Mọi đầu ra khớp" in html and "11 ô mã" in html
