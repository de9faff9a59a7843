"""Figures through the gate, on real executions in the seeded kernel (d2l with MXNet).

``gate-plot-base.md`` draws with ``d2l.plot`` (SVG), plain matplotlib (PNG) and
``d2l.Animator``; every figure cell reads its parameters from the first cell, so
``gate-plot-fail-changed-figures.md`` differs from it in that one line only: its figures
change while every figure's text repr (``<Figure size 350x250 with 1 Axes>``) does not.
"""

import re
from pathlib import Path

import pytest

from d2lvi.outputs import compare, gate, images
from d2lvi.outputs.execute import execute, read_chapter
from d2lvi.outputs.store import cells_from_notebook

DATA = Path(__file__).resolve().parents[1] / "data"
BASE = gate.Chapter(DATA / "gate-plot-base.md", DATA / "gate-plot-base.outputs.txt", DATA)
CURVE, COLOUR, LABEL, AXIS, TINY, TOLERANT, PNG, ANIMATOR = range(2, 10)


@pytest.fixture(scope="module")
def changed() -> dict[int, compare.Divergence]:
    """The divergences of the changed variant against the base's stored outputs, by cell."""
    chapter = gate.Chapter(DATA / "gate-plot-fail-changed-figures.md", BASE.expected, DATA)
    _, found = gate.divergences(chapter, fresh=True)
    return {d.index: d for d in found}


def changed_lines(d: compare.Divergence) -> list[str]:
    """The -/+ lines of a divergence's figure diffs."""
    return [line for f in d.figures for line in f.detail if line[:1] in "-+"]


def test_a_plot_cell_is_stable_over_two_fresh_runs():
    runs = [cells_from_notebook(execute(read_chapter(BASE.source), DATA), "gate-plot-base.outputs")
            for _ in range(2)]
    figures = [[f.data for c in run for f in c.figures] for run in runs]
    assert len(figures[0]) == 8 and figures[0] == figures[1]  # byte-identical files
    assert compare.compare(gate.stored_cells(BASE), runs[1]) == []


def test_only_the_figures_differ_so_a_text_only_gate_would_have_passed(changed):
    assert sorted(changed) == [CURVE, COLOUR, LABEL, AXIS, TINY, PNG, ANIMATOR]
    assert all(d.old.text == d.new.text and d.figures for d in changed.values())


def test_a_changed_curve_is_caught(changed):
    plus = [ln for ln in changed_lines(changed[CURVE]) if ln.startswith("+")]
    assert any("text '20'" in ln for ln in plus)  # x ** 3 reaches 20 on the y axis
    assert any("stroke:#1f77b4" in ln and "d=M" in ln for ln in plus)  # the curve itself


def test_a_changed_colour_is_caught(changed):
    lines = changed_lines(changed[COLOUR])
    assert [ln[0] for ln in lines] == ["-", "+"]
    assert "stroke:#bf00bf" in lines[0] and "stroke:#ff0000" in lines[1]


def test_a_changed_label_is_caught(changed):
    lines = changed_lines(changed[LABEL])
    assert lines[0].startswith("-  text 'cos(x)'") and lines[1].startswith("+  text 'cos x'")


def test_a_changed_axis_limit_is_caught(changed):
    assert any(ln.startswith("+  text '4' ") for ln in changed_lines(changed[AXIS]))


def test_a_tiny_change_is_caught_without_a_tolerance_and_accepted_within_one(changed):
    assert TINY in changed  # y + 0.01 moves coordinates by ~0.05 pt, above the 0.01 pt floor
    assert TOLERANT not in changed  # the same change in a cell declaring {abs: 0.5}


def test_a_png_figure_is_compared_by_its_pixels(changed):
    [change] = changed[PNG].figures
    assert change.old.mime == "image/png" and re.search(r"RMS \d+\.\d+ > 0\.5", change.summary)


def test_an_animator_is_gated_on_its_final_figure(changed):
    stored = gate.stored_cells(BASE)[ANIMATOR - 1]
    [figure] = stored.figures  # one figure: every display before the last was cleared
    curves = [ln for ln in images.canonical_lines(figure)
              if "stroke:#1f77b4" in ln and "clip-path" in ln]
    assert [ln.count(" L ") for ln in curves] == [4]  # the train loss line: all 5 epochs
    lines = changed_lines(changed[ANIMATOR])
    assert any(ln.startswith("+") and "stroke:#1f77b4" in ln for ln in lines)


def test_the_terminal_report_names_each_figure_file(changed):
    text = gate.report_text(gate.Chapter(DATA / "gate-plot-fail-changed-figures.md",
                                         BASE.expected, DATA), list(changed.values()))
    assert "gate-plot-fail-changed-figures.md:29: OUT001 ô mã 3" in text
    assert "hình gate-plot-base.outputs/cell-03-1.svg: 1 phần tử khác" in text
    assert "hình gate-plot-base.outputs/cell-08-1.png: điểm ảnh khác" in text


def test_the_html_report_shows_both_figures_of_each_changed_cell(changed, tmp_path):
    chapter = gate.Chapter(DATA / "gate-plot-fail-changed-figures.md", BASE.expected, DATA)
    result = gate.report.ChapterResult(str(chapter.source), str(chapter.expected), 9,
                                       tuple(gate.entries(chapter, list(changed.values()))))
    html = gate.write_report(tmp_path / "check", [result], "test").read_text(encoding="utf-8")
    assert html.count('class="blend"') == 7
    assert html.count("data:image/svg+xml;base64,") == 6 * 4
    assert html.count("data:image/png;base64,") == 4
