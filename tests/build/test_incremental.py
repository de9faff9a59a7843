"""A book of several sections: what each kind of edit makes the build read, write and execute.

Asserted from the build's own record (``_build/d2lvi-build.json``, d2lvi.site.incremental) and
its log, never from times. The book is the real chapter and two renamed copies
(d2lvi.build.bookscale); the third copy cites a figure of the second, as sections do.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from d2lvi.build.bookscale import make_book
from d2lvi.build.scratch import make_command

FIRST = "chapter_cnn/transposed-conv"
SECOND = "chapter_cnn/transposed-conv-2"
THIRD = "chapter_cnn/transposed-conv-3"
CITATION = "\nHình ở mục trước: {ref}`fig_trans_conv_2`.\n"


def make_html(book: Path) -> subprocess.CompletedProcess[str]:
    """The README's `make html` in the book."""
    return subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True,
                          timeout=900)


def record(book: Path) -> dict:
    """What the last build read, wrote and executed."""
    return json.loads((book / "_build" / "d2lvi-build.json").read_text(encoding="utf-8"))


def executed(book: Path) -> list[str]:
    """The sources whose notebooks the last build executed."""
    return [e["source"] for e in record(book)["executed"]]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Three sections built once (cold); each test edits, builds, and puts things back."""
    root = make_book(tmp_path_factory.mktemp("incremental") / "book", 3)
    with open(root / f"{THIRD}.md", "a", encoding="utf-8") as third:
        third.write(CITATION)
    proc = make_html(root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    root.joinpath("cold.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    root.joinpath("cold.json").write_text(json.dumps(record(root)), encoding="utf-8")
    yield root


@pytest.fixture
def edit(book: Path) -> Iterator:
    """Replace text in a section; afterwards the text is put back and the book rebuilt."""
    done: list[tuple[Path, str]] = []

    def apply(docname: str, old: str, new: str) -> None:
        path = book / f"{docname}.md"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        done.append((path, text))
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    yield apply
    for path, text in reversed(done):
        path.write_text(text, encoding="utf-8")
    if done:
        proc = make_html(book)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def built(book: Path) -> dict:
    """Build after an edit; the build's record."""
    proc = make_html(book)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return record(book)


def test_a_cold_build_executes_each_section_once_before_sphinx_reads_it(book: Path) -> None:
    cold = json.loads((book / "cold.json").read_text(encoding="utf-8"))
    log = (book / "cold.log").read_text(encoding="utf-8")
    sources = [e["source"] for e in cold["executed"]]
    assert sorted(sources) == sorted(f"{d}.md" for d in (FIRST, SECOND, THIRD))
    assert all(e["ok"] and e["cells"] == 11 and e["kernel_starts"] == 1 for e in cold["executed"])
    assert all(e["forked"] for e in cold["executed"])  # kernels forked from one fork server
    assert "Executing notebook" not in log  # MyST-NB found every notebook in the cache
    assert {FIRST, SECOND, THIRD, "index", "glossary", "references"} <= set(cold["read"])


def test_a_prose_edit_rewrites_its_page_and_the_root_and_executes_nothing(book: Path,
                                                                          edit) -> None:
    edit(SECOND, "Hãy kiểm tra lại kết quả", "Hãy cùng kiểm tra lại kết quả")
    done = built(book)
    assert done["read"] == [SECOND]
    assert done["written"] == sorted([SECOND, "index"])
    assert done["executed"] == []
    page = (book / "_build" / "html" / f"{SECOND}.html").read_text(encoding="utf-8")
    assert "Hãy cùng kiểm tra lại kết quả" in page


def test_a_code_edit_executes_that_section_only(book: Path, edit) -> None:
    edit(THIRD, "trans_conv(X, K)\n```", "trans_conv(X, K)  # sửa mã\n```")
    done = built(book)
    assert executed(book) == [f"{THIRD}.md"]
    assert done["read"] == [THIRD]
    assert done["executed"][0]["cells"] == 11 and done["executed"][0]["ok"]


def test_no_change_starts_no_sphinx(book: Path) -> None:
    before = (book / "_build" / "d2lvi-build.json").stat().st_mtime_ns
    proc = make_html(book)
    assert proc.returncode == 0, proc.stderr
    assert "Không có gì thay đổi kể từ lần dựng trước" in proc.stdout
    assert "Running Sphinx" not in proc.stdout
    assert (book / "_build" / "d2lvi-build.json").stat().st_mtime_ns == before


def test_a_new_title_rewrites_every_page_whose_sidebar_shows_it(book: Path, edit) -> None:
    edit(SECOND, "# Tích chập chuyển vị (2)", "# Tích chập chuyển vị, bản hai")
    done = built(book)
    assert done["read"] == [SECOND] and done["executed"] == []
    assert {FIRST, SECOND, THIRD, "index", "glossary", "references"} <= set(done["written"])
    third = (book / "_build" / "html" / f"{THIRD}.html").read_text(encoding="utf-8")
    assert "Tích chập chuyển vị, bản hai" in third  # in its sidebar and "previous" link


def test_a_new_figure_renumbers_and_rewrites_the_pages_citing_its_section(book: Path,
                                                                          edit) -> None:
    # Sections are numbered (as d2l's are), so figures are numbered per section: "Hình 2.1".
    figure = (":::{figure} ../img/trans_conv.svg\n:name: fig_extra\n:alt: Hình thêm.\n\n"
              "Một hình thêm vào.\n:::\n\n")
    edit(SECOND, ":::{figure} ../img/trans_conv.svg", figure + ":::{figure} ../img/trans_conv.svg")
    done = built(book)
    assert done["read"] == [SECOND] and done["executed"] == []
    assert THIRD in done["written"]  # it cites the second section's figure (now Hình 2.2)
    assert "glossary" not in done["written"]
    html = book / "_build" / "html"
    assert "Hình 2.2" in (html / f"{SECOND}.html").read_text(encoding="utf-8")  # was Hình 2.1


def test_a_changed_caption_rewrites_the_pages_citing_it_only(book: Path, edit) -> None:
    edit(SECOND, "Tầng tích chập chuyển vị với hạt nhân", "Tầng chuyển vị với hạt nhân")
    done = built(book)
    assert done["read"] == [SECOND]
    assert done["written"] == sorted([SECOND, THIRD, "index"])  # THIRD cites the figure
    third = (book / "_build" / "html" / f"{THIRD}.html").read_text(encoding="utf-8")
    assert "Tầng chuyển vị với hạt nhân" in third


def test_a_section_the_cache_lost_is_executed_again_with_the_next_edit(book: Path,
                                                                       edit) -> None:
    # What an interrupted build (Ctrl-C) leaves after the cache was emptied: records for some
    # sections only, and an environment that holds every page as already read.
    from jupyter_cache import get_cache

    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    lost = [r for r in cache.list_cache_records() if r.uri.endswith(f"{SECOND}.md")]
    assert lost
    for record in lost:
        cache.remove_cache(record.pk)
    edit(FIRST, "Hãy kiểm tra lại kết quả", "Hãy cùng kiểm tra lại kết quả")
    done = built(book)
    assert executed(book) == [f"{SECOND}.md"]
    assert sorted(done["read"]) == sorted([FIRST, SECOND])
