"""Which MathJax files the book ships, and which page assets it drops."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sphinx.errors import ExtensionError

from d2lvi.assets import _local_mathjax_path, drop_scripts, keep_asset, mathjax_files

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


def test_a_mathjax_path_on_the_network_is_refused_with_one_clear_message() -> None:
    config = SimpleNamespace(mathjax_path="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js")
    with pytest.raises(ExtensionError, match=r"mathjax_path .* tải từ mạng"):
        _local_mathjax_path(config)  # type: ignore[arg-type]


def test_a_local_mathjax_path_names_the_folder_the_components_are_copied_to() -> None:
    path = _local_mathjax_path(SimpleNamespace(mathjax_path="mathjax/startup.js"))  # type: ignore[arg-type]
    assert str(path.parent) == "mathjax"
