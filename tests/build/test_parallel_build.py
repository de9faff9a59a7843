"""Sphinx reading and writing in parallel processes gives the serial build's pages.

Three sections make six pages to read: more than the five below which Sphinx reads in one
process. The extensions' per-page state must come back from the reading processes
(``env-merge-info``), or figure numbers and the pages citing a label would be wrong.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from d2lvi.build.bookscale import make_book
from d2lvi.build.scratch import make_command

THIRD = "chapter_cnn/transposed-conv-3"
CITATION = "\nHình ở mục trước: {ref}`fig_trans_conv_2`.\n"


def book_with_jobs(root: Path, jobs: int) -> Path:
    """A three-section book whose Sphinx runs ``jobs`` processes, built once."""
    book = make_book(root, 3)
    with open(book / f"{THIRD}.md", "a", encoding="utf-8") as third:
        third.write(CITATION)
    config = book / "_config.yml"
    text = config.read_text(encoding="utf-8")
    assert "d2lvi_parallel_jobs: 0" in text
    config.write_text(text.replace("d2lvi_parallel_jobs: 0", f"d2lvi_parallel_jobs: {jobs}"),
                      encoding="utf-8")
    proc = subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (book / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return book


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same book built with one process and with two."""
    root = tmp_path_factory.mktemp("parallel")
    return book_with_jobs(root / "serial", 1), book_with_jobs(root / "parallel", 2)


def test_the_parallel_build_read_in_several_processes_without_a_warning(books) -> None:
    serial, parallel = ((b / "build.log").read_text(encoding="utf-8") for b in books)
    # Sphinx names the pages of each process ("a .. b") when it reads in parallel.
    chunks = re.findall(r"reading sources\.\.\. .*? \.\. ", parallel)
    assert chunks, parallel
    assert not re.findall(r"reading sources\.\.\. .*? \.\. ", serial)
    assert "WARNING" not in parallel


def test_parallel_and_serial_builds_write_the_same_pages(books) -> None:
    serial, parallel = (b / "_build" / "html" for b in books)
    pages = sorted(p.relative_to(serial) for p in serial.rglob("*.html"))
    assert pages == sorted(p.relative_to(parallel) for p in parallel.rglob("*.html"))
    differ = [str(p) for p in pages if (serial / p).read_bytes() != (parallel / p).read_bytes()]
    assert differ == []


def test_what_the_reading_processes_collected_comes_back_to_the_build(books) -> None:
    _, parallel = books
    second = parallel / "chapter_cnn" / "transposed-conv-2.md"
    text = second.read_text(encoding="utf-8")
    second.write_text(text.replace("Tầng tích chập chuyển vị với hạt nhân",
                                   "Tầng chuyển vị với hạt nhân", 1), encoding="utf-8")
    proc = subprocess.run(make_command("html"), cwd=parallel, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    done = json.loads((parallel / "_build" / "d2lvi-build.json").read_text(encoding="utf-8"))
    assert THIRD in done["written"]  # known to cite the figure only through the merged state
    page = (parallel / "_build" / "html" / f"{THIRD}.html").read_text(encoding="utf-8")
    assert "Tầng chuyển vị với hạt nhân" in page
