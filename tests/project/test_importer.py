"""``python -m d2lvi import``: any d2l-vn section into the book, or a clear refusal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from d2lvi.build.scratch import copy_book, make_command

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
DEMO = DATA / "chapter_demo"


def run_import(book: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The import command in a book, as a contributor runs it."""
    return subprocess.run([sys.executable, "-m", "d2lvi", "import", *args], cwd=book,
                          capture_output=True, text=True, check=False)


def tree(book: Path) -> dict[str, bytes]:
    """Every file of a book but its build, with its content."""
    return {str(p.relative_to(book)): p.read_bytes() for p in sorted(book.rglob("*"))
            if p.is_file() and "_build" not in p.parts and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the book with the demo chapter's three sections imported (executed)."""
    book = copy_book(tmp_path_factory.mktemp("demo") / "book")
    outputs = {}
    for name in ("index", "tiny", "offline"):
        result = run_import(book, str(DEMO / f"{name}_vn.md"), "--into", "chapter_demo")
        assert result.returncode == 0, result.stderr
        outputs[name] = result.stdout
    return book, outputs


def test_a_template_lands_as_a_chapter_with_its_image_upstream_and_notebook(demo_book):
    book, _ = demo_book
    assert (book / "chapter_demo" / "tiny.md").read_text().startswith("---\njupytext:")
    assert (book / "i18n/upstream/chapter_demo/tiny.md").read_bytes() == (
        DEMO / "tiny_vn.md").read_bytes()
    assert (book / "img" / "dot.svg").read_bytes() == (DATA / "img" / "dot.svg").read_bytes()
    assert (book / "notebooks/chapter_demo/tiny.ipynb").exists()
    assert not (book / "notebooks/chapter_demo/index.ipynb").exists()  # no code, no notebook


def test_the_chapter_index_is_the_root_of_the_other_sections(demo_book):
    book, _ = demo_book
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    demo = next(c for c in toc["parts"][0]["chapters"] if c["file"] == "chapter_demo/index")
    assert [s["file"] for s in demo["sections"]] == ["chapter_demo/tiny", "chapter_demo/offline"]


def test_the_outputs_are_those_of_a_real_run_in_the_seeded_kernel(demo_book):
    book, _ = demo_book
    stored = (book / "chapter_demo" / "tiny.outputs.txt").read_text()
    assert "## [1] from d2l import mxnet as d2l\n[result]\narray([[4., 4.],\n       [4., 4.]])" in (
        stored)
    assert "## [2] np.arange(4).reshape(2, 2)\n[result]\narray([[0., 1.],\n       [2., 3.]])" in (
        stored)


def test_the_figures_of_the_run_are_stored_beside_its_outputs_as_the_gate_reads_them(demo_book):
    book, _ = demo_book
    stored = (book / "chapter_demo" / "tiny.outputs.txt").read_text()
    assert "## [3] d2l.plot(" in stored and "[image/svg+xml] tiny.outputs/cell-03-1.svg" in stored
    figure = book / "chapter_demo" / "tiny.outputs" / "cell-03-1.svg"
    assert b"<svg" in figure.read_bytes()


def test_an_adapted_cell_is_shown_to_the_user_as_a_diff(demo_book):
    _, outputs = demo_book
    assert "tiny_vn.md:33: ô mã được sửa cho d2l 1.0.3" in outputs["tiny"]
    assert "-import d2l\n+from d2l import mxnet as d2l" in outputs["tiny"]


def test_cells_that_cannot_run_are_reported_with_line_and_exception_and_marked(demo_book):
    book, outputs = demo_book
    report = outputs["offline"]
    assert "offline_vn.md:21: ô mã 2 không chạy được ở đây (URLError:" in report
    assert "offline_vn.md:26: ô mã 3 không chạy được ở đây (NameError:" in report
    chapter = (book / "chapter_demo" / "offline.md").read_text()
    assert chapter.count(":tags: [skip-execution]") == 2
    assert ':not-executed: "cần tải dữ liệu qua mạng, mà máy dựng sách không có mạng"' in chapter
    stored = (book / "chapter_demo" / "offline.outputs.txt").read_text()
    assert "## [1] x = 1 + 1\n[result]\n2" in stored
    assert "## [2] import urllib.request\n(not executed: cần tải dữ liệu qua mạng" in stored


def test_importing_the_same_template_again_changes_nothing(demo_book):
    book, _ = demo_book
    before = tree(book)
    result = run_import(book, str(DEMO / "tiny_vn.md"), "--into", "chapter_demo")
    assert result.returncode == 0 and "không có gì thay đổi" in result.stdout
    assert tree(book) == before


def test_a_newer_english_of_an_imported_section_is_refused_pointing_to_make_stale(
        demo_book, tmp_path: Path):
    book, _ = demo_book
    newer = tmp_path / "chapter_demo" / "tiny_vn.md"
    newer.parent.mkdir()
    newer.write_text((DEMO / "tiny_vn.md").read_text().replace("A tiny example", "A small example"))
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "dot.svg").write_bytes((DATA / "img" / "dot.svg").read_bytes())
    before = tree(book)
    result = run_import(book, str(newer), "--into", "chapter_demo")
    assert result.returncode == 2 and "make stale UPSTREAM=" in result.stderr
    assert tree(book) == before


def test_the_three_section_book_builds_with_warnings_as_errors_and_passes_the_check(demo_book):
    book, _ = demo_book
    built = subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True,
                           check=False)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    page = (book / "_build/html/chapter_demo/tiny.html").read_text()
    assert 'class="d2lvi-untranslated"' in page and "Tiny Convolutions" in page
    assert 'href="index.html#chap-demo"' in page or "index.html" in page
    assert "search.html?q=sec_somewhere_else" in page  # a label of no section: online book
    offline = (book / "_build/html/chapter_demo/offline.html").read_text()
    assert offline.count('class="d2lvi-not-executed"') == 2
    checked = subprocess.run([sys.executable, "-m", "d2lvi", "gate", "--fresh"], cwd=book,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "chapter_demo/offline.md: 3 ô mã, mọi đầu ra khớp" in checked.stdout


def test_status_shows_each_imported_section_and_lint_passes_reporting_only_placeholders(
        demo_book):
    book, _ = demo_book
    status = subprocess.run([sys.executable, "-m", "d2lvi", "status"], cwd=book,
                            capture_output=True, text=True, check=False)
    assert status.returncode == 0, status.stderr
    assert "chapter_demo/offline.md" in status.stdout and "0%" in status.stdout
    lint = subprocess.run([sys.executable, "-m", "d2lvi", "check", "--no-spelling",
                           "chapter_demo/tiny.md"], cwd=book, capture_output=True, text=True,
                          check=False)
    codes = {line.split(": ")[1].split()[0] for line in lint.stdout.splitlines()}
    assert codes == {"TR002"}, lint.stdout
    # An untranslated section imported into the book does not fail `make lint`, even as CI
    # runs it: its placeholders are progress (make status), not errors.
    assert lint.returncode == 0, lint.stdout + lint.stderr
    strict = subprocess.run([sys.executable, "-m", "d2lvi", "check", "--no-spelling", "--strict"],
                            cwd=book, capture_output=True, text=True, check=False)
    assert strict.returncode == 0, strict.stdout + strict.stderr


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A fresh copy of the book."""
    return copy_book(tmp_path / "book")


def refused(book: Path, source: Path, *args: str) -> str:
    """Import ``source``, expect a refusal that leaves the book as it was; its message."""
    before = tree(book)
    result = run_import(book, str(source), "--no-execute", *args)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert tree(book) == before
    return result.stderr


def test_a_missing_image_is_refused_naming_each_reference_with_its_line(book):
    err = refused(book, DEMO / "fail-missing-image_vn.md", "--into", "chapter_demo")
    lines = err.splitlines()[1:]
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in lines] == ["20", "23"]
    assert all("thiếu ảnh ../img/missing-figure.svg" in line for line in lines)


@pytest.mark.parametrize("name, where", [
    ("fail-ambiguous-comment_vn.md", ":14:1: chú thích `<!--` không được đóng"),
    ("fail-not-a-template_vn.md", ":1: không phải mẫu dịch d2l-vn"),
    ("fail-no-heading_vn.md", ":1: không phải mẫu dịch d2l-vn"),
])
def test_a_broken_or_foreign_file_is_refused_with_file_and_line(book, name, where):
    err = refused(book, DEMO / name, "--into", "chapter_demo")
    assert f"{DEMO / name}{where}" in err
    assert len(err.splitlines()) == 2  # the heading line and one problem


@pytest.mark.parametrize("content, where", [
    (b"", ":1: tệp rỗng"),
    (b"   \n\n", ":1: tệp rỗng"),
    (b"# Title\n\x00\x01binary", ":2:1: tệp có byte NUL"),
    ("# Tiêu\nxin chào\n".encode("latin-1", "replace"), ":1:5: tệp không phải văn bản UTF-8"),
])
def test_empty_binary_or_wrongly_encoded_files_are_refused(book, tmp_path, content, where):
    source = tmp_path / "chapter_x" / "bad_vn.md"
    source.parent.mkdir()
    source.write_bytes(content)
    assert f"{source}{where}" in refused(book, source)


def test_a_folder_outside_the_chapter_convention_is_refused(book, tmp_path):
    source = tmp_path / "drafts" / "tiny_vn.md"
    source.parent.mkdir()
    source.write_bytes((DEMO / "tiny_vn.md").read_bytes())
    assert "INTO=chapter_" in refused(book, source)


def test_a_plain_d2l_section_is_made_into_a_template_then_imported(book):
    result = run_import(book, str(DATA / "plain" / "chapter_demo" / "plainsec.md"),
                        "--no-execute")
    assert result.returncode == 0, result.stderr
    assert "đã tạo mẫu dịch" in result.stdout
    pinned = (book / "i18n/upstream/chapter_demo/plainsec.md").read_text()
    assert "<!--\n# Plain Section\n-->\n\n# *dịch tiêu đề phía trên*" in pinned
    chapter = (book / "chapter_demo" / "plainsec.md").read_text()
    assert "(sec_plainsec)=" in chapter and "import torch" not in chapter


def test_a_folder_alias_of_config_puts_a_whole_chapter_elsewhere(book):
    config = book / "_config.yml"
    config.write_text(config.read_text().replace(
        "      chapter_convolutional-neural-networks: chapter_cnn",
        "      chapter_convolutional-neural-networks: chapter_cnn\n      chapter_demo: chapter_x"))
    result = run_import(book, str(DEMO / "index_vn.md"), "--no-execute")
    assert result.returncode == 0, result.stderr
    assert (book / "chapter_x" / "index.md").exists()


def test_a_section_whose_labels_another_section_defines_is_refused(book, tmp_path):
    twin = tmp_path / "chapter_other" / "tiny_vn.md"
    twin.parent.mkdir()
    twin.write_bytes((DEMO / "tiny_vn.md").read_bytes())
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "dot.svg").write_bytes((DATA / "img" / "dot.svg").read_bytes())
    first = run_import(book, str(DEMO / "tiny_vn.md"), "--into", "chapter_demo", "--no-execute")
    assert first.returncode == 0, first.stderr
    err = refused(book, twin)
    assert f"{twin}:8: nhãn sec_tiny đã được chapter_demo/tiny.md định nghĩa" in err


def test_a_citation_missing_from_the_bibliography_is_refused_with_its_line(book, tmp_path):
    source = tmp_path / "chapter_demo" / "cites_vn.md"
    source.parent.mkdir()
    source.write_text((DEMO / "offline_vn.md").read_text().replace(
        "see :numref:`sec_tiny` first.", "see :numref:`sec_tiny` and :cite:`Nobody.2099`."))
    err = refused(book, source)
    assert f"{source}:11: trích dẫn Nobody.2099 chưa có trong references.bib" in err


def test_an_unclosed_comment_is_repaired_with_a_warning_and_its_line(book):
    source = DEMO / "unclosed_vn.md"
    result = run_import(book, str(source), "--into", "chapter_demo", "--no-execute")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "unclosed comment" in line]
    assert warnings == [f"{source}:{a}: đã đóng chú thích `<!--` chưa đóng (repaired unclosed "
                        f"comment) trước dòng {b}" for a, b in ((10, 14), (20, 23), (28, 30))]
    pinned = (book / "i18n/upstream/chapter_demo/unclosed.md").read_text()
    chapter = (book / "chapter_demo" / "unclosed.md").read_text()
    english = "<!--\nThis English paragraph lost its closing mark,\nso it runs on into the next " \
        "English block.\n-->\n"
    assert english in pinned and english in chapter
    before = tree(book)
    again = run_import(book, str(source), "--into", "chapter_demo", "--no-execute")
    assert again.returncode == 0 and "không có gì thay đổi" in again.stdout
    assert tree(book) == before
    stale = subprocess.run([sys.executable, "-m", "d2lvi", "stale", str(source),
                            "chapter_demo/unclosed.md"], cwd=book, capture_output=True,
                           text=True, check=False)
    assert stale.returncode == 0, stale.stdout + stale.stderr  # raw template = repaired copy


def test_an_ambiguous_unclosed_comment_is_refused_saying_why(book):
    err = refused(book, DEMO / "fail-ambiguous-comment_vn.md", "--into", "chapter_demo")
    assert "không rõ bản gốc tiếng Anh kết thúc ở đâu (several paragraphs)" in err


def test_a_retired_qr_image_is_dropped_and_the_discussion_link_kept(book):
    source = DEMO / "discussion_vn.md"
    result = run_import(book, str(source), "--into", "chapter_demo", "--no-execute")
    assert result.returncode == 0, result.stderr
    assert f"{source}:26: bỏ ảnh mã QR thảo luận ../img/qr_discussion.svg" in result.stdout
    chapter = (book / "chapter_demo" / "discussion.md").read_text()
    assert "qr_discussion" not in chapter and "{figure}" not in chapter
    assert "## [Discussions](https://discuss.d2l.ai/t/9999)" in chapter
    assert "* [Tiếng Anh](https://discuss.d2l.ai/t/9999)" in chapter
    assert not list(book.rglob("qr_*"))
    lint = subprocess.run([sys.executable, "-m", "d2lvi", "check", "--no-spelling",
                           "chapter_demo/discussion.md"], cwd=book, capture_output=True,
                          text=True, check=False)
    codes = {line.split(": ")[1].split()[0] for line in lint.stdout.splitlines()}
    assert codes == {"TR002"}, lint.stdout  # only placeholders: no English missing or changed


def test_a_missing_figure_is_still_refused_beside_a_retired_qr_image(book, tmp_path):
    source = tmp_path / "chapter_demo" / "discussion_vn.md"
    source.parent.mkdir()
    source.write_text((DEMO / "discussion_vn.md").read_text().replace(
        "*dịch đoạn phía trên*\n", "*dịch đoạn phía trên*\n\n![A lost figure.](../img/lost.svg)\n",
        1))
    err = refused(book, source)
    assert err.splitlines()[1:] == [
        f"{source}:16: thiếu ảnh ../img/lost.svg (không thấy {tmp_path / 'img' / 'lost.svg'})"]
