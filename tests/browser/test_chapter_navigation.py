"""The chapter as a whole: its index, previous/next order, search and switch on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_site import PAGES, Visit


def main_text(html: str) -> str:
    """The article of a built page (the sidebars repeat the whole table of contents)."""
    return html.split('<article class="bd-article">', 1)[1].split("</article>", 1)[0]


def test_the_chapter_index_lists_every_section_in_the_chapter_order(book_html: Path) -> None:
    article = main_text((book_html / PAGES[0]).read_text(encoding="utf-8"))
    listed = re.findall(r'toctree-l1"><a class="reference internal" href="([^"#]+)"', article)
    assert listed == [Path(p).name for p in PAGES[1:]]


@pytest.mark.parametrize("index", range(len(PAGES)))
def test_previous_and_next_follow_the_chapter_order(book_html: Path, index: int) -> None:
    html = (book_html / PAGES[index]).read_text(encoding="utf-8")
    nxt = re.search(r'<a class="right-next"\s+href="([^"]+)"', html)
    if index + 1 < len(PAGES):
        assert nxt and nxt.group(1) == Path(PAGES[index + 1]).name
    if index > 0:
        prev = re.search(r'<a class="left-prev"\s+href="([^"]+)"', html)
        assert prev and prev.group(1) == Path(PAGES[index - 1]).name


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_translated_and_has_the_language_switch(visit: Visit, path: str) -> None:
    page = visit.open(path)
    assert page.locator(".d2lvi-switch button").count() == 3
    assert page.locator(".d2lvi-untranslated").count() == 0
    assert page.locator("html").get_attribute("lang") == "vi"


@pytest.mark.parametrize("path", PAGES)
def test_search_finds_every_section_from_its_vietnamese_title(visit: Visit, path: str) -> None:
    title = visit.open(path).locator("h1").first.inner_text()
    words = re.sub(r"^[\d.]+\s*|[()#¶]", " ", title).split()
    page = visit.open("search.html?q=" + "+".join(words))
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [(a.get_attribute("href") or "").split("#")[0] for a in results.all()]
    assert any(h.endswith(path) for h in hrefs), (words, hrefs)


def test_labels_between_sections_resolve_inside_the_book(book_html: Path) -> None:
    html = main_text((book_html / "chapter_cnn/transposed-conv.html").read_text(encoding="utf-8"))
    assert re.search(r'href="conv-layer.html#sec-conv-layer"', html)
    assert re.search(r'href="pooling.html#sec-pooling"', html)
    assert "d2l.ai/chapter_convolutional-neural-networks" not in html  # not the English book
