"""The generated Colab notebooks: faithful code, bilingual plain Markdown, a setup cell, buttons."""

from __future__ import annotations

import base64
import dataclasses
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from io import StringIO
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from sphinx.application import Sphinx

from d2lvi.export import config as export_config
from d2lvi.export import notebook
from d2lvi.export.setup_cell import SETUP_TAG
from d2lvi.outputs.compare import compare
from d2lvi.outputs.execute import execute
from d2lvi.outputs.gate import Chapter, stored_cells
from d2lvi.outputs.store import cells_from_notebook
from d2lvi.source.pairs import parse as parse_pairs

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
CHAPTER = "chapter_cnn/transposed-conv.md"
COMMITTED = ROOT / "notebooks" / "chapter_cnn" / "transposed-conv.ipynb"
SMALL = DATA / "notebook-pass-small.md"
SMALL_AS = "chapter_small/small.md"
DETAILS = re.compile(r'<details lang="en"><summary lang="vi">Bản gốc tiếng Anh</summary>'
                     r"\n\n(.*?)\n\n</details>", re.DOTALL)


def project_inputs() -> tuple[export_config.BookConfig, dict, export_config.Recipe]:
    """The real book's configuration, bibliography and setup recipe."""
    config = export_config.load_book_config((ROOT / "_config.yml").read_text(encoding="utf-8"))
    bib = export_config.load_bibliography((ROOT / "references.bib").read_text(encoding="utf-8"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config, bib, export_config.load_recipe(pyproject)


def build(path: Path, chapter: str) -> nbformat.NotebookNode:
    """The notebook of a chapter file, generated with the real book's settings."""
    return notebook.build_notebook(path.read_text(encoding="utf-8"), chapter, *project_inputs(),
                                   read=lambda book_path: (ROOT / book_path).read_bytes())


@pytest.fixture(scope="module")
def committed() -> nbformat.NotebookNode:
    """The committed notebook of the chapter."""
    return nbformat.read(COMMITTED, as_version=4)


@pytest.fixture(scope="module")
def small() -> nbformat.NotebookNode:
    """The notebook of the small fixture chapter."""
    return build(SMALL, SMALL_AS)


def markdown(nb: nbformat.NotebookNode) -> str:
    """All Markdown cells of a notebook, joined."""
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def chapter_code(path: Path) -> list[tuple[str, dict]]:
    """The chapter's code cells as the book executes them (jupytext): source and metadata."""
    return [(c.source, dict(c.metadata)) for c in jupytext.read(path).cells
            if c.cell_type == "code"]


def notebook_code(nb: nbformat.NotebookNode) -> list[tuple[str, dict]]:
    """A notebook's code cells after the setup cell: source and metadata."""
    return [(c.source, dict(c.metadata)) for c in nb.cells if c.cell_type == "code"][1:]


# -- generation ----------------------------------------------------------------------


def test_generation_is_deterministic():
    first = notebook.generate(ROOT)
    assert first == notebook.generate(ROOT)
    assert notebook.render(build(SMALL, SMALL_AS)) == notebook.render(build(SMALL, SMALL_AS))


def test_committed_notebooks_are_up_to_date():
    result = subprocess.run([sys.executable, "-m", "d2lvi", "notebooks", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_reports_an_out_of_date_notebook_in_one_line_and_rewrites_nothing(tmp_path):
    for name in ("pyproject.toml", "_config.yml", "_toc.yml", "references.bib", CHAPTER,
                 "img/trans_conv.svg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    stale = tmp_path / "notebooks" / "chapter_cnn" / "transposed-conv.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text(COMMITTED.read_text(encoding="utf-8").replace("Hình 1", "Hình 9"))
    before = stale.read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "d2lvi", "notebooks", "--check", "--root",
                             str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "notebooks/chapter_cnn/transposed-conv.ipynb" in result.stderr
    assert stale.read_text(encoding="utf-8") == before


def test_written_file_ends_with_one_newline_and_has_sorted_keys():
    text = COMMITTED.read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    keys = re.findall(r'^ "(\w+)":', text, re.MULTILINE)
    assert keys == sorted(keys) == ["cells", "metadata", "nbformat", "nbformat_minor"]


def test_cell_ids_are_unique_and_stable(committed):
    ids = [c.id for c in committed.cells]
    assert len(set(ids)) == len(ids)
    again = nbformat.reads(notebook.generate(ROOT, [CHAPTER])[export_config.notebook_path(CHAPTER)],
                           as_version=4)
    assert ids == [c.id for c in again.cells]


# -- faithful code -------------------------------------------------------------------


def test_code_cells_are_the_chapters_code_cells_verbatim_and_in_order(committed, small):
    assert notebook_code(committed) == chapter_code(ROOT / CHAPTER)
    assert len(notebook_code(committed)) == 11
    assert notebook_code(small) == chapter_code(SMALL)
    assert notebook_code(small)[1] == ('print("  hai  ")', {"tags": ["hide-output"]})


def test_setup_cell_is_the_first_code_cell_and_tagged(committed):
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == [SETUP_TAG]
    assert all(SETUP_TAG not in c.metadata.get("tags", []) for c in code[1:])
    # The title's cell comes first, then the setup cell, before any of the chapter's text.
    assert committed.cells[0].source.startswith("# Tích chập chuyển vị")
    assert committed.cells[1] is code[0]


def test_setup_cell_installs_the_recipe_only_when_a_requirement_is_unmet(committed):
    source = committed.cells[1].source
    _, _, recipe = project_inputs()
    guarded = source.split("if unmet(REQUIRED):\n", 1)[1]
    assert guarded.startswith('    %pip install -q "mxnet==1.9.1" "numpy==1.26.4"')
    assert '    %pip install -q --no-deps "d2l==1.0.3"\n' in guarded
    for requirement in recipe.require:
        assert f"    {requirement!r},\n" in source
    # The alias must exist before MXNet is imported, in the same kernel.
    assert source.index("numpy.bool = bool") < source.index("import mxnet")
    assert "Runtime → Restart session" in source


def test_metadata_is_ready_for_colab(committed):
    meta = committed.metadata
    assert meta["colab"] == {"name": "transposed-conv.ipynb", "provenance": [],
                             "toc_visible": True}
    assert meta["kernelspec"]["name"] == "python3"
    assert meta["kernelspec"]["language"] == "python"
    assert meta["language_info"]["name"] == "python"
    assert (committed.nbformat, committed.nbformat_minor) == (4, 5)
    nbformat.validate(committed)
    assert all(c.get("outputs", []) == [] for c in committed.cells if c.cell_type == "code")


# -- bilingual plain Markdown ----------------------------------------------------------


def english_words(english: str) -> str:
    """The first two words of an English original, as they read in any rendering."""
    return " ".join(re.sub(r"^[#*!\[\s]+", "", english.strip()).split()[:2])


def test_every_translated_block_has_its_english_in_a_details(committed):
    pairs = [p for p in parse_pairs((ROOT / CHAPTER).read_text(encoding="utf-8")).pairs
             if not p.untranslated]
    bodies = DETAILS.findall(markdown(committed))
    assert len(bodies) == len(pairs) > 10
    for pair, body in zip(pairs, bodies, strict=True):
        assert english_words(pair.en) in body, (pair.en_start, body)


def test_english_of_a_pair_comes_right_after_its_translation(committed):
    text = markdown(committed)
    vi = text.index("Ta có thể lập trình phép toán này")
    en = text.index("We can implement this operation")
    assert vi < en and "<details" in text[vi:en] and "</details>" not in text[vi:en]


def test_untranslated_block_shows_its_english_as_the_text(small):
    text = markdown(small)
    assert "*(Chưa dịch — untranslated)*\n\nNobody translated this sentence yet." in text
    assert "dịch đoạn phía trên" not in text


def test_no_myst_roles_directives_targets_or_comments_are_left(committed, small):
    for text in (markdown(committed), markdown(small)):
        for leftover in ("{numref}", ":numref:", "{cite", ":cite:", ":label:", ":::", "<!--",
                         "{figure}", "(sec_transposed_conv)=", "(sec_small)="):
            assert leftover not in text


def test_references_become_plain_text_or_links_to_the_english_book(committed):
    text = markdown(committed)
    # Sections of this book by their title (no repository configured: no link to follow).
    assert "tầng tích chập (Tích chập cho ảnh) và tầng gộp (Gộp)" in text
    assert "convolutional layers (Tích chập cho ảnh)" in text
    url = "https://d2l.ai/chapter_computer-vision/semantic-segmentation-and-dataset.html"
    assert f"([mục 14.9]({url}))" in text
    assert "Hình 1 minh họa" in text and "Fig. 1 illustrates" in text
    assert "(*fractionally-strided convolution*) (Dumoulin & Visin, 2016)" in text
    assert "(Long et al., 2015)" in text
    assert "## Tài liệu tham khảo" in text and "A guide to convolution arithmetic" in text


def test_figure_travels_in_the_notebook_as_an_attachment_with_a_numbered_caption(committed):
    text = markdown(committed)
    assert re.search(r"!\[Đầu vào 2×2[^\]]*\]\(attachment:trans_conv\.svg\)", text)
    [cell] = [c for c in committed.cells if "attachment:trans_conv.svg" in c.source]
    data = base64.b64decode(cell.attachments["trans_conv.svg"]["image/svg+xml"])
    assert data == (ROOT / "img" / "trans_conv.svg").read_bytes()
    assert r"*Hình 1: Tầng tích chập chuyển vị với hạt nhân $2\times 2$.*" in text
    assert r"*Fig. 1: Transposed convolution layer with a $2\times 2$ kernel.*" in text


def test_math_is_kept_for_colab(committed):
    assert r"$i^\mathrm{th}$" in markdown(committed)


def test_contributor_notes_and_empty_bullets_are_dropped(small):
    text = markdown(small)
    assert "Ghi chú cho người đóng góp" not in text
    assert "* Một Người Dịch" in text
    assert not re.search(r"^\*\s*$", text, re.MULTILINE)


def test_unknown_reference_is_one_line_with_file_and_line_without_a_fallback(tmp_path):
    config, bib, recipe = project_inputs()
    strict = dataclasses.replace(config, external_fallback_url="")
    text = (DATA / "notebook-fail-unknown-ref.md").read_text(encoding="utf-8")
    with pytest.raises(export_config.NotebookError) as err:
        notebook.build_notebook(text, "tests/data/notebook-fail-unknown-ref.md", strict, bib,
                                recipe)
    assert str(err.value).startswith("tests/data/notebook-fail-unknown-ref.md:6: ")
    assert "sec_nowhere" in str(err.value) and "\n" not in str(err.value)


def test_a_label_no_section_defines_links_to_the_online_english_book():
    nb = build(DATA / "notebook-fail-unknown-ref.md", "tests/data/notebook-fail-unknown-ref.md")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "[«nowhere» (bản tiếng Anh, d2l.ai)](https://d2l.ai/search.html?q=sec_nowhere)" in text


def test_a_label_of_another_section_links_to_that_sections_notebook():
    config, bib, recipe = project_inputs()
    other = "(sec_nowhere)=\n# Nơi khác\n\n```{code-cell} ipython3\n1\n```\n"
    texts = {"chapter_x/other.md": other}
    refs = notebook.book_refs({c: notebook.Conversion(c, config, bib) for c in texts}, texts,
                              {"chapter_x/other.md": "https://example.org/other.ipynb"})
    text = (DATA / "notebook-fail-unknown-ref.md").read_text(encoding="utf-8")
    nb = notebook.build_notebook(text, "chapter_x/x.md", config, bib, recipe, refs)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "[Nơi khác](https://example.org/other.ipynb)" in markdown


def test_unknown_citation_fails_the_command_with_one_line_and_no_traceback(tmp_path):
    for name in ("pyproject.toml", "_config.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(DATA / "notebook-fail-unknown-cite.md", tmp_path / "bad.md")
    result = subprocess.run([sys.executable, "-m", "d2lvi", "notebooks", "--root", str(tmp_path),
                             "bad.md"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.startswith("lỗi: bad.md:3: ") and "Nobody.2099" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "notebooks").exists()


# -- URLs ------------------------------------------------------------------------------


def test_colab_url_is_built_from_the_repository_config():
    book = export_config.BookConfig("https://github.com/d2l-vi/book")
    assert export_config.colab_url(book, export_config.notebook_path(CHAPTER)) == (
        "https://colab.research.google.com/github/d2l-vi/book/blob/main/"
        "notebooks/chapter_cnn/transposed-conv.ipynb")
    other = export_config.BookConfig("https://github.com/a/b.git", "dev", "book")
    assert export_config.colab_url(other, "notebooks/x.ipynb") == (
        "https://colab.research.google.com/github/a/b/blob/dev/book/notebooks/x.ipynb")


def test_a_repository_outside_github_is_refused_with_one_line():
    with pytest.raises(export_config.NotebookError, match="repository.url"):
        export_config.colab_url(export_config.BookConfig("https://example.org/x"),
                                "notebooks/x.ipynb")


# -- the Sphinx extension ----------------------------------------------------------------

BOOK_CONF = '''
extensions = ["myst_nb", "sphinxcontrib.bibtex", "d2lvi.site.bilingual", "d2lvi.site.colab"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
nb_execution_mode = "off"
language = "vi"
numfig = True
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
exclude_patterns = ["notebooks", "_build"]
html_theme = "sphinx_book_theme"
html_theme_options = {"repository_url": "https://github.com/owner-x/repo-y",
                      "repository_branch": "dev", "path_to_docs": "book"}
d2lvi_external_refs = {"sec_conv_layer": {
    "number": "7.2", "title": "Convolutions for Images",
    "url": "https://d2l.ai/chapter_convolutional-neural-networks/conv-layer.html"}}
'''


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A two-page book (one page with a notebook) built with the extension; out dir, warnings."""
    src = tmp_path_factory.mktemp("book")
    (src / "conf.py").write_text(BOOK_CONF)
    (src / "index.md").write_text("# Sách nhỏ\n\n```{toctree}\nchapter_small/small\nbib\n```\n")
    (src / "bib.md").write_text("# Tài liệu\n\n```{bibliography}\n```\n")
    (src / "chapter_small").mkdir()
    shutil.copy(SMALL, src / SMALL_AS)
    (src / "img").mkdir()
    shutil.copy(ROOT / "img" / "trans_conv.svg", src / "img" / "trans_conv.svg")
    shutil.copy(ROOT / "references.bib", src / "references.bib")
    nb_file = src / export_config.notebook_path(SMALL_AS)
    nb_file.parent.mkdir(parents=True)
    nb_file.write_text(notebook.render(build(SMALL, SMALL_AS)), encoding="utf-8")
    out = tmp_path_factory.mktemp("html")
    warnings = StringIO()
    app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html",
                 status=None, warning=warnings, freshenv=True)
    app.build()
    return out, warnings.getvalue()


def test_chapter_page_has_the_colab_button_and_the_download_link(tiny_book):
    out, _ = tiny_book
    page = (out / "chapter_small" / "small.html").read_text(encoding="utf-8")
    colab = re.search(r'<a class="d2lvi-colab" href="([^"]+)">(.*?)</a>', page, re.DOTALL)
    assert colab and colab.group(1) == ("https://colab.research.google.com/github/owner-x/"
                                        "repo-y/blob/dev/book/notebooks/chapter_small/small.ipynb")
    assert re.sub(r"<svg.*?</svg>|<[^>]+>", "", colab.group(2)) == "Mở trong Colab"
    download = re.search(r'<a class="d2lvi-download-ipynb" href="([^"]+)" download>(.*?)</a>',
                         page, re.DOTALL)
    assert download and re.sub(r"<svg.*?</svg>|<[^>]+>", "", download.group(2)) == (
        "Tải sổ tay (.ipynb)")
    shipped = (out / "chapter_small" / download.group(1)).resolve()
    assert shipped.is_file() and shipped.name == "small.ipynb"
    assert nbformat.reads(shipped.read_text(encoding="utf-8"), as_version=4).metadata["colab"]


def test_buttons_sit_under_the_title_before_the_text(tiny_book):
    page = (tiny_book[0] / "chapter_small" / "small.html").read_text(encoding="utf-8")
    title = page.index("<h1>")
    english_title = page.index("d2lvi-en-title")
    links = page.index('class="d2lvi-notebook-links"')
    text = page.index("Đệm giữ nguyên kích thước")
    assert title < english_title < links < text
    assert "<img" not in page[links:text]  # inline, decorative SVG only: no external badge
    assert page[links:text].count('aria-hidden="true"') == 2


def test_pages_without_a_notebook_have_no_button_and_no_button_styles(tiny_book):
    page = (tiny_book[0] / "index.html").read_text(encoding="utf-8")
    assert "d2lvi-colab" not in page and "d2lvi-notebook-links" not in page


def test_button_styles_are_inline_in_the_head_and_the_build_is_clean(tiny_book):
    out, warnings = tiny_book
    page = (out / "chapter_small" / "small.html").read_text(encoding="utf-8")
    head = page[:page.index("</head>")]
    assert '<style id="d2lvi-colab">.d2lvi-notebook-links {' in head
    assert not list(out.rglob("d2lvi-colab.css"))  # no request for a stylesheet of 0.6 KB
    assert warnings == ""


def test_jupyter_books_own_colab_launch_button_stays_off():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert not config.get("launch_buttons", {}).get("colab_url")
    assert "d2lvi.site.colab" in config["sphinx"]["config"]["extensions"]


# -- running it in the project's own environment -------------------------------------------


RECIPE_DISTRIBUTIONS = ("mxnet", "numpy", "pandas", "matplotlib", "contourpy", "d2l")


def installed_versions() -> dict[str, str]:
    """Versions of the recipe's packages in this (the project's) environment."""
    return {name: importlib.metadata.version(name) for name in RECIPE_DISTRIBUTIONS}


def test_notebook_in_the_project_venv_installs_nothing_and_gives_the_stored_outputs(
        committed, tmp_path):
    before = installed_versions()
    nb = execute(nbformat.from_dict(committed), tmp_path)
    assert installed_versions() == before
    setup = nb.cells[1]
    texts = [o.get("text", "") for o in setup.outputs]
    assert [o.output_type for o in setup.outputs] == ["stream"], setup.outputs
    assert texts[0].startswith("Sẵn sàng (ready): Python 3.11") and "pip" not in texts[0]
    without_setup = nbformat.from_dict(nb)
    without_setup.cells = [c for c in nb.cells if c is not setup]
    chapter = Chapter.at(ROOT / "chapter_cnn" / "transposed-conv.md")
    stored = stored_cells(chapter)  # figure files read too
    divergences = compare(stored, cells_from_notebook(without_setup, chapter.figures.name))
    assert divergences == [], "\n".join(d.diff for d in divergences)


def test_setup_cell_asks_for_a_restart_when_numpy_was_loaded_before_an_install(
        committed, tmp_path):
    # As on Colab: numpy imported at start-up, another version installed since.
    fake = nbformat.v4.new_code_cell(
        "import sys, types\nsys.modules['numpy'] = types.SimpleNamespace(__version__='2.0.2')")
    nb = nbformat.v4.new_notebook(cells=[fake, nbformat.from_dict(committed.cells[1])])
    nb = execute(nb, tmp_path)
    outputs = nb.cells[1].outputs
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Cần khởi động lại phiên: numpy 2.0.2" in printed
    assert "Runtime → Restart session" in printed and "Run all" in printed
    assert outputs[-1].output_type == "error" and outputs[-1].ename == "RuntimeError"
