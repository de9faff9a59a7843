"""Math typeset at build time: found in Sphinx markup, typeset by MathJax in Node, shipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from sphinx.errors import ExtensionError

from d2lvi.site.mathrender import (
    FONT_URL_PLACEHOLDER,
    FONTS_DIR,
    Formula,
    Typeset,
    find_formulas,
    font_url,
    run_node,
    typeset_page,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
NODE_MODULES = ROOT / "node_modules"
INLINE = '<span class="math notranslate nohighlight">\\({}\\)</span>'
PAGE = ("<html><head><title>t</title></head><body><p>"
        + INLINE.format("a&lt;b") + " và " + INLINE.format(r"2\times 2") + "</p>\n"
        '<div class="math notranslate nohighlight" id="equation-e">\n'
        '<span class="eqno">(1)<a class="headerlink" href="#equation-e">#</a></span>'
        "\\[y = Wx\\]</div>\n</body></html>")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The npm install with the pinned MathJax; missing means `make assets` was not run."""
    if not (NODE_MODULES / "mathjax" / "es5" / "node-main.js").is_file():
        pytest.fail(f"{NODE_MODULES / 'mathjax'} không có: chạy `make assets` (npm ci) trước")
    if shutil.which("node") is None:
        pytest.fail("không có `node`: cài Node.js (make assets)")
    return NODE_MODULES


# --- finding and replacing formulas (pure) ---------------------------------------------------

def test_inline_and_display_formulas_are_found_in_page_order_with_their_tex_unescaped() -> None:
    found = find_formulas(PAGE)
    assert [(f.tex, f.display) for f in found] == [
        ("a<b", False), (r"2\times 2", False), ("y = Wx", True)]
    assert PAGE[found[0].start:found[0].end] == r"\(a&lt;b\)"
    assert PAGE[found[2].start:found[2].end] == r"\[y = Wx\]"


def test_display_math_without_delimiters_is_taken_whole() -> None:
    page = '<div class="math notranslate nohighlight">\n\\begin{align}a&amp;=b\\end{align}</div>'
    [formula] = find_formulas(page)
    assert formula.tex == r"\begin{align}a&=b\end{align}" and formula.display


def test_amsmath_blocks_are_found_whatever_the_order_of_their_classes() -> None:
    page = ('<div class="amsmath math notranslate nohighlight" id="equation-x">\n'
            '<span class="eqno">(2)</span>\\[\\begin{align*}a\\end{align*}\\]</div>')
    assert [f.tex for f in find_formulas(page)] == [r"\begin{align*}a\end{align*}"]


def test_a_page_without_sphinx_math_markup_has_no_formulas() -> None:
    assert find_formulas("<p>Giá \\(5\\) đồng, <code>$x$</code></p>") == []


def test_typeset_page_replaces_each_formula_and_adds_one_stylesheet_with_relative_fonts() -> None:
    formulas = find_formulas(PAGE)
    result = Typeset(("<mjx-container>A</mjx-container>", "<mjx-container>B</mjx-container>",
                      '<mjx-container display="true">C</mjx-container>'),
                     f'@font-face {{\n  src: url("{FONT_URL_PLACEHOLDER}/F.woff");\n}}', ())
    out = typeset_page(PAGE, formulas, result, "../_static/mathjax-fonts")
    assert "\\(" not in out and "\\[" not in out
    assert '<span class="math notranslate nohighlight"><mjx-container>A</mjx-container></span>' \
        in out
    assert '<span class="eqno">(1)' in out.split("<mjx-container display")[0]
    assert out.count("<style") == 1 and out.index("<style") < out.index("</head>")
    assert 'url("../_static/mathjax-fonts/F.woff")' in out and FONT_URL_PLACEHOLDER not in out
    assert find_formulas(out) == []  # a typeset page is not typeset again


def test_typeset_page_refuses_a_result_that_does_not_match_the_formulas() -> None:
    with pytest.raises(ValueError, match="3 formulas but 1 results"):
        typeset_page(PAGE, find_formulas(PAGE), Typeset(("x",), "", ()), "f")


@pytest.mark.parametrize(("page", "expected"), [
    ("index.html", FONTS_DIR),
    ("chapter_cnn/transposed-conv.html", f"../{FONTS_DIR}"),
    ("a/b/c.html", f"../../{FONTS_DIR}"),
])
def test_font_url_is_relative_to_the_page(page: str, expected: str) -> None:
    assert font_url(PurePosixPath(page)) == expected


# --- MathJax in Node --------------------------------------------------------------------------

def test_node_typesets_chtml_with_hidden_mathml_and_only_the_characters_used(
        node_modules: Path) -> None:
    [page] = run_node([[Formula("W^\\top", False, 0, 0), Formula("a<b", True, 0, 0)]],
                      node_modules)
    inline, display = page.html
    assert inline.startswith('<mjx-container class="MathJax" jax="CHTML"')
    assert '<mjx-math class=" MJX-TEX" aria-hidden="true">' in inline
    assert "<mjx-assistive-mml" in inline and "<mi>W</mi>" in inline
    assert 'display="true"' in display and "<mo>&lt;</mo>" in display
    assert page.errors == ()
    assert f'url("{FONT_URL_PLACEHOLDER}/MathJax_Math-Italic.woff")' in page.css
    chars = set(re.findall(r"mjx-c\.mjx-c([0-9A-F]+)", page.css))
    assert chars == {"1D44A", "22A4", "1D44E", "3C", "1D44F"}  # W ⊤ a < b


def test_a_tex_error_is_reported_with_the_index_of_its_formula(node_modules: Path) -> None:
    [page] = run_node([[Formula("x^2", False, 0, 0), Formula(r"\khongco x", False, 0, 0),
                        Formula(r"\frac{1}{", False, 0, 0)]], node_modules)
    assert page.errors == ((1, r"Undefined control sequence \khongco"),
                           (2, "Missing close brace"))


def test_each_page_is_typeset_as_if_it_were_alone(node_modules: Path) -> None:
    first = [Formula(r"\sum_i x_i", True, 0, 0)]
    second = [Formula("y", False, 0, 0)]
    together = run_node([first, second], node_modules)
    alone = run_node([second], node_modules)
    assert together[1] == alone[0]
    assert "2211" not in alone[0].css  # no rule for the first page's ∑


def test_a_missing_node_is_one_clear_error(node_modules: Path) -> None:
    with pytest.raises(ExtensionError, match="không chạy được .*Node.js"):
        run_node([[Formula("x", False, 0, 0)]], node_modules, node="/nonexistent/node")


def test_a_missing_mathjax_package_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExtensionError, match=r"MathJax \(Node\) thất bại"):
        run_node([[Formula("x", False, 0, 0)]], tmp_path)


# --- in a Sphinx build ------------------------------------------------------------------------

CONF = """
extensions = ["myst_parser", "d2lvi.site.mathrender"]
myst_enable_extensions = ["dollarmath", "amsmath"]
html_math_renderer = "d2lvi"
d2lvi_node_modules = {node_modules!r}
"""


def make_project(root: Path, node_modules: Path, pages: dict[str, str]) -> Path:
    """A small Sphinx project: the given pages and a toctree of them."""
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF.format(node_modules=str(node_modules)))
    toctree = "\n".join(name.removesuffix(".md") for name in pages)
    (src / "index.md").write_text(f"# Sách\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, text in pages.items():
        (src / name).write_text(text)
    return src


def sphinx_build(src: Path, out: Path, env: dict[str, str] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """Build ``src`` into ``out`` in its own process (Sphinx registers nodes globally)."""
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, node_modules: Path) -> Path:
    """A project with one page of math and one without."""
    return make_project(tmp_path_factory.mktemp("math"), node_modules, {
        "formulas.md": (DATA / "math-pass-inline-display-amsmath.md").read_text(),
        "plain.md": "# Không có công thức\n\nChỉ có chữ.\n",
    })


@pytest.fixture(scope="module")
def built(project: Path) -> tuple[Path, str]:
    """The project built once; its output directory and log."""
    out = project.parent / "out"
    proc = sphinx_build(project, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return out, proc.stdout


def test_a_built_page_ships_typeset_math_and_no_mathjax_script(built: tuple[Path, str]) -> None:
    out, log = built
    page = (out / "formulas.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]*mathjax", page, re.I) is None
    assert page.count("<mjx-container") == 5
    assert page.count("<mjx-assistive-mml") == 5
    assert find_formulas(page) == [] and "\\(" not in page
    assert '<span class="eqno">(1)' in page  # the equation number stays
    assert 'url("_static/mathjax-fonts/MathJax_Main-Regular.woff")' in page
    assert (out / FONTS_DIR / "MathJax_Main-Regular.woff").is_file()
    assert "[d2lvi.mathrender] 5 công thức trên 1 trang" in log


def test_a_page_without_math_gets_no_math_stylesheet(built: tuple[Path, str]) -> None:
    page = (built[0] / "plain.html").read_text(encoding="utf-8")
    assert "d2lvi-math" not in page and "mjx-" not in page


def test_two_builds_write_byte_identical_pages(project: Path, built: tuple[Path, str]) -> None:
    again = project.parent / "again"
    assert sphinx_build(project, again).returncode == 0
    for page in ("formulas.html", "plain.html", "index.html"):
        assert (again / page).read_bytes() == (built[0] / page).read_bytes(), page


def test_a_rebuild_starts_node_only_for_pages_sphinx_wrote_again(
        tmp_path: Path, node_modules: Path) -> None:
    src = make_project(tmp_path, node_modules, {
        "one.md": "# Một\n\n$x^2$\n", "two.md": "# Hai\n\n$y^2$\n"})
    out = tmp_path / "out"
    assert "2 công thức trên 2 trang" in sphinx_build(src, out).stdout
    two = (out / "two.html").read_bytes()

    unchanged = sphinx_build(src, out)
    assert unchanged.returncode == 0 and "[d2lvi.mathrender]" not in unchanged.stdout
    (src / "one.md").write_text("# Một\n\n$x^3$\n")
    edited = sphinx_build(src, out)
    assert "1 công thức trên 1 trang" in edited.stdout
    assert (out / "two.html").read_bytes() == two
    assert "mjx-c33" in (out / "one.html").read_text(encoding="utf-8")  # the new 3


def test_a_prose_edit_reuses_the_typeset_math_without_starting_node(
        tmp_path: Path, node_modules: Path) -> None:
    src = make_project(tmp_path, node_modules, {"one.md": "# Một\n\nChữ. $x^2$\n"})
    out = tmp_path / "out"
    first = sphinx_build(src, out)
    assert first.returncode == 0, first.stderr
    typeset = (out / "one.html").read_text(encoding="utf-8")
    (src / "one.md").write_text("# Một\n\nChữ khác. $x^2$\n")
    no_node = {**os.environ, "PATH": str(tmp_path / "empty")}  # starting Node would fail
    edited = sphinx_build(src, out, env=no_node)
    assert edited.returncode == 0, edited.stderr
    page = (out / "one.html").read_text(encoding="utf-8")
    assert "Chữ khác." in page and find_formulas(page) == []
    assert page.count("<mjx-container") == typeset.count("<mjx-container") == 1


def test_a_tex_error_fails_the_build_naming_the_page_and_keeps_its_tex(
        tmp_path: Path, node_modules: Path) -> None:
    src = make_project(tmp_path, node_modules, {
        "broken.md": (DATA / "math-fail-undefined-macro.md").read_text()})
    proc = sphinx_build(src, tmp_path / "out")
    assert proc.returncode == 1
    assert ("broken.html: công thức TeX lỗi '\\\\khongco x': "
            "Undefined control sequence \\khongco") in proc.stderr
    assert "Traceback" not in proc.stderr
    page = (tmp_path / "out" / "broken.html").read_text(encoding="utf-8")
    assert len(find_formulas(page)) == 2  # left as TeX: the next build reports it again


def test_a_build_without_the_mathjax_package_stops_with_one_clear_message(
        tmp_path: Path) -> None:
    src = make_project(tmp_path, tmp_path / "no_node_modules", {"one.md": "# Một\n\n$x$\n"})
    proc = sphinx_build(src, tmp_path / "out")
    assert proc.returncode != 0
    assert "chạy `make assets` (npm ci)" in proc.stderr
    assert "Traceback" not in proc.stderr
