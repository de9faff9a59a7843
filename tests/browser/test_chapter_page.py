"""The chapter page in a real browser: offline, typeset, bilingual, searchable, accessible."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from book_site import CHAPTER, ORIGIN, PAGES, ROOT, Visit
from fontTools.ttLib import TTFont

from d2lvi.build.browser import is_local, record
from d2lvi.build.weight import table, weigh

MODES = ("vi", "en", "both")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_requests_nothing_outside_127_0_0_1(visit: Visit, path: str) -> None:
    page = visit.open(path)
    outside = [url for url in visit.requests if not is_local(url)]
    assert visit.blocked == [], f"requests blocked (would have left 127.0.0.1): {visit.blocked}"
    assert outside == []
    if page.locator("mjx-container").count():  # a page with math loads the local math fonts
        assert any("_static/mathjax-fonts/" in u for u in visit.requests), "math fonts not loaded"
    assert not any("mathjax" in url and ".js" in url for url in visit.requests), "MathJax script"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_logs_no_console_errors(visit: Visit, path: str) -> None:
    page = visit.open(path)
    page.click(".d2lvi-switch button[data-mode=both]")
    page.reload(wait_until="networkidle")
    assert visit.errors == []


def test_math_is_typeset_and_no_raw_tex_is_left_in_the_vietnamese_text(visit: Visit) -> None:
    page = visit.open()
    spans = page.locator("span.math, div.math").count()
    typeset = page.locator("mjx-container").count()
    assert spans > 0
    assert typeset >= spans
    # Each math span holds MathJax output, not its TeX source.
    untypeset = page.evaluate(
        "() => [...document.querySelectorAll('span.math, div.math')]"
        ".filter(s => !s.querySelector('mjx-container')).map(s => s.textContent)")
    assert untypeset == []
    visible = page.evaluate(
        "() => [...document.querySelectorAll('.d2lvi-vi')].map(b => b.innerText).join('\\n')")
    leftovers = re.findall(r"\\\(|\\\)|\$[^$\n]+\$", visible)
    assert leftovers == []


def test_math_is_typeset_without_javascript_and_hidden_mathml_is_there_for_readers(
        browser: Any, base_url: str) -> None:
    # Math is typeset when the book is built: the page shows it even with JavaScript off.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                       "height": 900})
    try:
        page = context.new_page()
        page.goto(base_url + CHAPTER, wait_until="networkidle")
        math = page.locator(".d2lvi-vi span.math mjx-container")
        assert math.count() > 0
        first = math.first
        box = first.locator("mjx-math").bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert first.locator("mjx-math").get_attribute("aria-hidden") == "true"
        mathml = first.locator("mjx-assistive-mml math")
        assert mathml.count() == 1 and (mathml.text_content() or "").strip() != ""
        # Each formula's font size follows the text's x-height, as MathJax does in a browser.
        sizes = page.evaluate("""() => {
            const c = document.querySelector('.d2lvi-vi span.math mjx-container');
            return [parseFloat(getComputedStyle(c).fontSize),
                    parseFloat(getComputedStyle(c.parentElement).fontSize)];
        }""")
        assert sizes[0] > sizes[1], sizes
    finally:
        context.close()


def test_figure_is_shown_at_a_readable_size_with_a_vietnamese_caption(visit: Visit) -> None:
    page = visit.open()
    figure = page.locator(".d2lvi-vi figure", has=page.locator("img[src$='trans_conv.svg']"))
    assert figure.count() >= 1
    image = figure.first.locator("img")
    size = image.evaluate(
        "i => ({width: i.getBoundingClientRect().width, natural: i.naturalWidth})")
    assert size["natural"] > 0, "the SVG did not load"
    assert size["width"] >= 600, size
    caption = figure.first.locator("figcaption").inner_text().strip()
    assert caption.startswith("Hình 1"), caption


def test_english_original_opens_and_closes_when_its_summary_is_clicked(visit: Visit) -> None:
    page = visit.open()
    details = page.locator(".d2lvi-pair details.d2lvi-en").first
    body = details.locator(".d2lvi-en-body")
    assert not body.is_visible()
    details.locator("> summary").click()
    assert body.is_visible()
    assert details.get_attribute("lang") == "en"
    details.locator("> summary").click()
    assert not body.is_visible()


def _pair_boxes(page: object) -> tuple[dict, dict]:
    """Bounding boxes of the English and Vietnamese blocks of the first prose pair."""
    pair = page.locator(".d2lvi-pair").first  # type: ignore[attr-defined]
    return (pair.locator("> .d2lvi-en").bounding_box(),
            pair.locator("> .d2lvi-vi").bounding_box())


def test_page_switch_shows_english_only_then_both_side_by_side(visit: Visit) -> None:
    page = visit.open()
    switch = page.locator(".d2lvi-switch")
    assert switch.count() == 1
    # The switch belongs to the article, below the theme's top bars.
    assert page.locator("article.bd-article > .d2lvi-switch").count() == 1

    page.click(".d2lvi-switch button[data-mode=en]")
    assert page.locator(".d2lvi-switch button[data-mode=en]").get_attribute("aria-pressed") \
        == "true"
    assert page.evaluate("() => document.documentElement.classList.contains('d2lvi-mode-en')")
    assert not page.locator(".d2lvi-pair > .d2lvi-vi").first.is_visible()
    assert page.locator(".d2lvi-pair .d2lvi-en-body").first.is_visible()
    visit.screenshot("transposed-conv-en.png")

    page.click(".d2lvi-switch button[data-mode=both]")
    en, vi = _pair_boxes(page)
    assert en is not None and vi is not None
    assert en["x"] + en["width"] <= vi["x"], (en, vi)  # English left, Vietnamese right
    assert abs(en["y"] - vi["y"]) < 5, (en, vi)  # on the same row
    visit.screenshot("transposed-conv-both.png")

    page.click(".d2lvi-switch button[data-mode=vi]")
    assert page.locator(".d2lvi-pair > .d2lvi-vi").first.is_visible()
    assert not page.locator(".d2lvi-pair .d2lvi-en-body").first.is_visible()
    visit.screenshot("transposed-conv.png")


@pytest.mark.parametrize("mode", MODES)
def test_chosen_mode_survives_a_reload(visit: Visit, mode: str) -> None:
    page = visit.open()
    page.click(f".d2lvi-switch button[data-mode={mode}]")
    page.reload(wait_until="networkidle")
    assert page.evaluate("() => localStorage.getItem('d2lvi-mode')") == mode
    assert page.evaluate(f"() => document.documentElement.classList.contains('d2lvi-mode-{mode}')")
    pressed = page.locator(".d2lvi-switch button[aria-pressed=true]")
    assert pressed.count() == 1
    assert pressed.get_attribute("data-mode") == mode


def _expected_colab_url() -> str:
    """The Colab URL of the chapter's notebook: the copy's GitHub origin, _config.yml's branch."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    owner_repo = urlsplit(ORIGIN).path.strip("/").removesuffix(".git")
    branch = config["repository"].get("branch", "main")
    return (f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/"
            "notebooks/chapter_cnn/transposed-conv.ipynb")


def test_repository_button_shows_the_github_mark_without_the_brand_font(visit: Visit) -> None:
    page = visit.open()
    icon = page.locator(".btn-source-repository-button i.fa-github")
    assert icon.count() >= 1
    mark = icon.first.evaluate("""i => {
        const s = getComputedStyle(i, '::before');
        return {mask: s.maskImage || s.webkitMaskImage, width: parseFloat(s.width)};
    }""")
    assert "svg" in mark["mask"] and mark["width"] > 0, mark
    assert not any("fa-brands" in url for url in visit.requests)


# Every element's ::before/::after drawn with the solid icon font: its code points.
SOLID_ICONS = """() => {
    const found = [];
    for (const el of document.querySelectorAll('body *')) {
        for (const pseudo of ['::before', '::after']) {
            const style = getComputedStyle(el, pseudo);
            const text = style.content.replace(/^"|"$/g, '');
            if (style.fontFamily.includes('Font Awesome 6 Free') && style.fontWeight === '900'
                && text && style.content !== 'none') {
                found.push(...[...text].map(c => c.codePointAt(0)));
            }
        }
    }
    return found;
}"""


@pytest.mark.parametrize("path", [CHAPTER, "search.html?q=chuyển+vị"])
def test_every_solid_icon_shown_is_in_the_books_icon_font(visit: Visit, book_html: Path,
                                                          path: str) -> None:
    page = visit.open(path)
    page.locator(".bd-sidebar-primary .search-button-field").click()  # the search dialog too
    shown = set(page.evaluate(SOLID_ICONS))
    assert len(shown) >= 5, shown
    font = TTFont(book_html / "_static" / "d2lvi-fa-solid-900.woff2")
    missing = {hex(c) for c in shown - set(font.getBestCmap())}
    assert missing == set()
    assert not any("fontawesome/webfonts/fa-solid" in url for url in visit.requests)


def test_colab_button_opens_this_chapters_notebook(visit: Visit) -> None:
    page = visit.open()
    colab = page.locator("a.d2lvi-colab")
    assert colab.count() >= 1, "no <a class='d2lvi-colab'> on the chapter page"
    assert colab.first.get_attribute("href") == _expected_colab_url()


def test_notebook_download_link_points_to_the_chapters_notebook(visit: Visit) -> None:
    page = visit.open()
    link = page.locator("a.d2lvi-download-ipynb")
    assert link.count() >= 1, "no <a class='d2lvi-download-ipynb'> on the chapter page"
    href = link.first.get_attribute("href") or ""
    assert urlsplit(href).path.endswith("transposed-conv.ipynb"), href
    url = urljoin(page.url, href)
    if is_local(url):  # served by the book itself: it must be there
        response = page.request.get(url)
        assert response.ok, f"{url}: HTTP {response.status}"


# Typed with or without diacritics: Vietnamese readers often omit them.
@pytest.mark.parametrize("query", ["chuyển vị", "tích chập", "tich chap chuyen vi"])
def test_search_finds_the_chapter_from_vietnamese_words(visit: Visit, query: str) -> None:
    page = visit.open("search.html?q=" + query.replace(" ", "+"))
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") or "" for a in results.all()]
    assert any(h.split("#")[0].endswith(CHAPTER) for h in hrefs), hrefs


def _readable(violations: list[dict]) -> str:
    """axe violations as lines: impact, rule, help, and the first offending elements."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1]}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violations(visit: Visit, axe_script: Path, path: str,
                                                     mode: str, scheme: str) -> None:
    # The theme follows the reader's colour scheme ("auto"): both must be readable.
    visit.page.emulate_media(color_scheme=scheme)
    page = visit.open(path)
    page.click(f".d2lvi-switch button[data-mode={mode}]")
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n" + _readable(bad)


def test_search_page_has_no_serious_or_critical_violations(visit: Visit,
                                                           axe_script: Path) -> None:
    page = visit.open("search.html?q=chuyển+vị")
    page.locator("#search-results ul.search li").first.wait_for(timeout=15_000)
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n" + _readable(bad)


# Heavy or network-bound files the page must not load again (see d2lvi/site/assets.py): MathJax's
# scripts (math is typeset at build time), the brand font (GitHub mark drawn in CSS) and the
# full solid icon font (d2lvi/site/iconfont.py serves the icons the book uses).
UNWANTED = ("fontawesome.js", "thebe", "togglebutton", "searchindex.js", "tex-mml-chtml",
            "ui/menu.js", "cdn.", "_static/mathjax/", "fa-brands", "fontawesome/webfonts/fa-solid")


def test_page_weight_stays_within_budget_and_skips_unused_assets(visit: Visit) -> None:
    budget = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["d2lvi"]["page_weight_budget_kib"]
    resources = record(visit.page, visit.base_url + CHAPTER)
    report = "\n" + table(resources)
    loaded = [r.url for r in resources if any(u in r.url for u in UNWANTED)]
    assert loaded == [], report
    assert weigh(resources).sent <= budget * 1024, report


def test_text_assets_arrive_compressed_and_decode_to_the_built_files(visit: Visit,
                                                                     book_html: Path) -> None:
    resources = record(visit.page, visit.base_url + CHAPTER)
    text = [r for r in resources if r.content_type.split(";")[0] in (
        "text/html", "text/css", "text/javascript", "image/svg+xml") and r.size >= 1024]
    assert len(text) >= 15, table(resources)
    for r in text:
        assert 0 < r.sent < r.size * 0.6, f"{r.url} not compressed\n{table(resources)}"
        built = book_html / urlsplit(r.url).path.lstrip("/")
        assert r.size == built.stat().st_size, r.url  # the browser decoded the whole file
    # The page and the theme's stylesheet, the two biggest, shrink more than 5×.
    biggest = [r for r in text
               if urlsplit(r.url).path.endswith((CHAPTER, "pydata-sphinx-theme.css"))]
    assert len(biggest) == 2 and all(r.sent < r.size / 5 for r in biggest), table(biggest)


def test_search_box_of_the_chapter_page_leads_to_the_results(visit: Visit) -> None:
    # The chapter page no longer loads Sphinx's search scripts: its search box must still work.
    page = visit.open()
    page.locator(".bd-sidebar-primary .search-button-field").click()
    field = page.locator("#pst-search-dialog input[name=q]")
    field.fill("sải bước")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") or "" for a in results.all()]
    assert any(h.split("#")[0].endswith(CHAPTER) for h in hrefs), hrefs
    assert visit.errors == []


# Interface strings that Sphinx and the themes ship in English (seen on this page before the
# book's Vietnamese catalog and template overrides).
ENGLISH_UI = {
    "Back to top", "Skip to main content", "Toggle primary sidebar", "Toggle secondary sidebar",
    "Search this book...", "Search", "Color mode", "Light", "Dark", "System Settings",
    "On this page", "Contents", "Link to this heading", "Link to this image", "next page",
    "previous page", "Main", "Page", "Site navigation", "Download this page", "Fullscreen mode",
    "Print to PDF", "Source repository", "Version warning", "Index",
}


def test_interface_strings_are_vietnamese(visit: Visit) -> None:
    page = visit.open()
    shown = page.evaluate(
        """() => {
        const out = [];
        for (const el of document.querySelectorAll('*')) {
          for (const a of ['title', 'aria-label', 'placeholder', 'data-bs-title', 'alt']) {
            if (el.hasAttribute(a)) out.push(el.getAttribute(a).trim());
          }
          if (!el.closest('article')) {
            for (const n of el.childNodes) {
              if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim());
            }
          }
        }
        return out;
      }"""
    )
    assert sorted(ENGLISH_UI.intersection(shown)) == []
