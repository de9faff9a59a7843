"""Which MathJax files the book ships, and which page assets it drops."""

from __future__ import annotations

from d2lvi.assets import drop_scripts, keep_asset, mathjax_files

RULES = {"thebe": "", "toggle": "toggle", "design": "sd-"}


def test_mathjax_files_cover_loader_core_components_fonts_and_tex_extensions() -> None:
    files = mathjax_files(["input/tex", "output/chtml", "a11y/assistive-mml"])
    assert files[:2] == ["startup.js", "core.js"]
    for needed in ("input/tex.js", "input/tex/extensions/", "output/chtml.js",
                   "output/chtml/fonts/", "a11y/assistive-mml.js"):
        assert needed in files
    assert not any("menu" in f for f in files)


def test_a_named_tex_package_maps_to_its_extension_file_once() -> None:
    files = mathjax_files(["input/tex-base", "[tex]/ams", "[tex]/ams"])
    assert files.count("input/tex/extensions/ams.js") == 1


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
