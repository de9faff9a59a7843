"""The book build itself: a raising cell or a changed output fails `make html`."""

import subprocess
from pathlib import Path

import pytest

from d2lvi.build.scratch import copy_book, make_command

CHAPTER = Path("chapter_cnn/transposed-conv.md")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the book's sources, sharing the project's virtual environment."""
    return copy_book(tmp_path / "book")


def make_html(book: Path) -> subprocess.CompletedProcess[str]:
    """Run the README's `make html` in the copy, with the project's installed venv."""
    return subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True)


def edit_chapter(book: Path, old: str, new: str) -> None:
    """Replace one snippet of the chapter copy (it must be there)."""
    path = book / CHAPTER
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_changed_kernel_fails_make_html_with_a_diff_of_the_new_numbers(book):
    old = "K = np.array([[0, 1], [2, 3]])\ntrans_conv"
    edit_chapter(book, old, old.replace("3]]", "4]]"))
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "OUT001 ô mã 3 `X = np.array([[0, 1], [2, 3]])`" in out
    assert "-       [ 4., 12.,  9.]])" in out
    assert "+       [ 4., 14., 12.]])" in out


def test_raising_cell_fails_the_build(book):
    edit_chapter(book, "trans_conv(X, K)\n```", "trans_conv(X, K_undefined)\n```")
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "K_undefined" in out


def test_two_builds_of_the_same_source_are_byte_identical(book):
    assert make_html(book).returncode == 0
    first = book / "first-html"
    (book / "_build" / "html").rename(first)
    proc = make_html(book)  # a new output tree; executions come from the shared cache
    assert proc.returncode == 0, proc.stdout + proc.stderr
    second = book / "_build" / "html"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    differ = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert differ == []


PLOT_CELLS = """
```{code-cell} ipython3
from d2l import mxnet as d2l
```

```{code-cell} ipython3
d2l.plot(np.arange(4), [np.arange(4) ** 2], 'x', 'f(x)')
```
"""
STORED = CHAPTER.with_name("transposed-conv.outputs.txt")
FIGURE = CHAPTER.with_name("transposed-conv.outputs") / "cell-13-1.svg"


def run_make(book: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """Any make target of the copy, with the project's installed venv."""
    return subprocess.run(make_command(*targets), cwd=book, capture_output=True, text=True)


def test_malformed_tolerance_fails_make_html_at_its_line(book):
    fence = "```{code-cell} ipython3\nX = np.array([[0, 1], [2, 3]])"
    edit_chapter(book, fence, fence.replace("\nX", "\n:tolerance: {abs: 1e-3, absolute: 1}\nX"))
    line = (book / CHAPTER).read_text().split("\n").index(":tolerance: {abs: 1e-3, absolute: 1}")
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert f"transposed-conv.md:{line + 1}: WARNING: [d2lvi.gate] OUT002 :tolerance:" in out
    assert "unknown key" in out and "Traceback" not in out


def test_malformed_book_wide_tolerance_fails_make_html_at_its_config_line(book):
    config = book / "_config.yml"
    lines = config.read_text().split("\n")
    line = lines.index("    d2lvi_output_tolerance: 0")
    lines[line] = "    d2lvi_output_tolerance: {rel: many}"
    config.write_text("\n".join(lines))
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert f"_config.yml:{line + 1}: WARNING: [d2lvi.gate] OUT002 d2lvi_output_tolerance" in out
    assert "Traceback" not in out


def test_the_build_gates_figures_and_reports_them(book):
    chapter = book / CHAPTER
    chapter.write_text(chapter.read_text() + PLOT_CELLS)
    accepted = run_make(book, "update-outputs")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "[image/svg+xml] transposed-conv.outputs/cell-13-1.svg" in (book / STORED).read_text()
    built = make_html(book)  # MyST-NB's execution draws the figure nbclient's did
    assert built.returncode == 0, built.stdout + built.stderr

    figure = (book / FIGURE).read_bytes()
    (book / FIGURE).unlink()
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "transposed-conv.outputs.txt:" in out and "OUT003 tệp hình" in out
    assert "Traceback" not in out

    (book / FIGURE).write_bytes(figure)
    edit_chapter(book, "np.arange(4) ** 2]", "np.arange(4) ** 3]")
    proc = make_html(book)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "OUT001 ô mã 13 `d2l.plot(" in out
    assert "hình transposed-conv.outputs/cell-13-1.svg:" in out
    report = (book / "_build" / "check" / "index.html").read_text(encoding="utf-8")
    assert report.count('class="blend"') == 1 and "cell-13-1.svg" in report
