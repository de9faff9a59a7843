"""The icon font subset: which icons the book uses, and a font with exactly those."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pydata_sphinx_theme
import pytest
from fontTools.ttLib import TTFont
from sphinx.errors import ExtensionError

from d2lvi.site.iconfont import SUBSET, _subset_icons, icon_classes, icon_codepoints, subset_woff2

THEME_FONT = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" /
              "static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2")
CSS = (
    '.fa-magnifying-glass:before,.fa-search:before{content:"\\f002"}'
    '.fa-xmark:before{content:"\\f00d"}.fa-github:before{content:"\\f09b"}'
    '.fa-sun{--fa:"\\f185"}'  # Font Awesome 6.5+ style
    '.fa-spin{animation-name:fa-spin}'
    'html{--pst-icon-info-circle:"\uf05a";--pst-icon-x:"x"}'
    'a.external:after{content:"\\f35d";font:var(--fa-font-solid)}'
)


def test_icon_classes_map_each_name_and_alias_to_its_code_point() -> None:
    icons, rest = icon_classes(CSS)
    assert icons == {"magnifying-glass": 0xF002, "search": 0xF002, "xmark": 0xF00D,
                     "github": 0xF09B, "sun": 0xF185}
    assert ".fa-spin" in rest and "--pst-icon-info-circle" in rest and "f002" not in rest


def test_icons_named_in_pages_or_scripts_and_characters_in_other_rules_are_kept() -> None:
    pages = ['<i class="fa-solid fa-magnifying-glass"></i>', 'el.classList.add("fa-xmark")']
    assert icon_codepoints([CSS], pages) == {0xF002, 0xF00D, 0xF05A, 0xF35D}


def test_an_icon_no_page_names_is_left_out() -> None:
    assert 0xF09B not in icon_codepoints([CSS], ['<i class="fa-solid fa-sun"></i>'])


def test_the_subset_has_exactly_the_requested_icons_and_is_reproducible() -> None:
    font = THEME_FONT.read_bytes()
    wanted = {0xF002, 0xF00D, 0xF185}
    subset = subset_woff2(font, wanted)
    assert set(TTFont(THEME_FONT).getBestCmap()) > wanted
    assert set(TTFont(BytesIO(subset)).getBestCmap()) == wanted
    assert len(subset) < len(font) / 20
    assert subset_woff2(font, sorted(wanted, reverse=True)) == subset


def built_book(root: Path, page: str) -> SimpleNamespace:
    """A built book's output (theme font, stylesheet, one page) and an app pointing at it."""
    fonts = root / "html" / "_static" / "vendor"
    fonts.mkdir(parents=True)
    (fonts / "fa-solid-900.woff2").write_bytes(THEME_FONT.read_bytes())
    (root / "html" / "_static" / "theme.css").write_text(CSS, encoding="utf-8")
    (root / "html" / "index.html").write_text(page, encoding="utf-8")
    (root / "doctrees").mkdir()
    return SimpleNamespace(outdir=str(root / "html"), doctreedir=str(root / "doctrees"),
                           builder=SimpleNamespace(format="html"),
                           config=SimpleNamespace(d2lvi_icon_font="vendor/fa-solid-900.woff2"))


def test_the_build_writes_the_subset_once_and_again_only_when_the_icons_change(
        tmp_path: Path) -> None:
    app = built_book(tmp_path, '<i class="fa-solid fa-xmark"></i>')
    target = tmp_path / "html" / SUBSET
    _subset_icons(app, None)  # type: ignore[arg-type]
    assert set(TTFont(target).getBestCmap()) == {0xF00D, 0xF05A, 0xF35D}
    written = target.stat().st_mtime_ns
    _subset_icons(app, None)  # type: ignore[arg-type]
    assert target.stat().st_mtime_ns == written
    (tmp_path / "html" / "index.html").write_text('<i class="fa-solid fa-sun"></i>')
    _subset_icons(app, None)  # type: ignore[arg-type]
    assert set(TTFont(target).getBestCmap()) == {0xF185, 0xF05A, 0xF35D}


def test_a_missing_theme_font_is_one_clear_error(tmp_path: Path) -> None:
    app = built_book(tmp_path, "<p></p>")
    app.config.d2lvi_icon_font = "vendor/none.woff2"
    with pytest.raises(ExtensionError, match="không thấy .*none.woff2"):
        _subset_icons(app, None)  # type: ignore[arg-type]


def test_the_subset_keeps_the_source_fonts_timestamp_so_rebuilds_are_byte_identical() -> None:
    source = THEME_FONT.read_bytes()
    made = TTFont(BytesIO(subset_woff2(source, [0xF0C9])))
    assert made["head"].modified == TTFont(BytesIO(source))["head"].modified


def test_the_stylesheets_icon_table_is_reused_while_their_contents_stay_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import d2lvi.site.iconfont as iconfont

    css = tmp_path / "theme.css"
    css.write_text(CSS, encoding="utf-8")
    first = iconfont._css_icons_memo([css], tmp_path)
    css.write_text(CSS, encoding="utf-8")  # rewritten with a new time, as Sphinx does

    def parse_again(texts: object) -> None:
        raise AssertionError("the unchanged stylesheets were parsed again")

    monkeypatch.setattr(iconfont, "css_icons", parse_again)
    assert iconfont._css_icons_memo([css], tmp_path) == first
    css.write_text(CSS + "\n.fa-new:before{content:\"\\f111\"}", encoding="utf-8")
    with pytest.raises(AssertionError):
        iconfont._css_icons_memo([css], tmp_path)
