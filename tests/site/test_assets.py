"""Which page assets the book drops."""

from __future__ import annotations

from d2lvi.site.assets import drop_scripts, keep_asset

RULES = {"thebe": "", "toggle": "toggle", "design": "sd-"}


def test_an_asset_without_a_rule_is_kept() -> None:
    assert keep_asset("_static/copybutton.js", "", "<p>x</p>", RULES)


def test_a_never_used_asset_is_dropped_by_source_or_inline_text() -> None:
    assert not keep_asset("_static/sphinx-thebe.js", "", "<div class='thebe'></div>", RULES)
    assert not keep_asset("", 'const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2"', "", RULES)


def test_an_asset_stays_only_on_pages_that_use_its_marker() -> None:
    assert not keep_asset("_static/sphinx-design.min.css", "", "<p>plain</p>", RULES)
    assert keep_asset("_static/sphinx-design.min.css", "", '<div class="sd-card">', RULES)
    assert not keep_asset("", "let toggleHintShow = 'x';", "<p>plain</p>", RULES)


def test_drop_scripts_removes_only_the_named_script_tags() -> None:
    html = ('<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
            '<link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />')
    out = drop_scripts(html, "scripts/fontawesome.js")
    assert "fontawesome" not in out
    assert "bootstrap.js" in out
