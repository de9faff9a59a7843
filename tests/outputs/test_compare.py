"""Stored and new outputs compared: cells aligned, text and numbers, figures, the terminal diff."""



from d2lvi.outputs import compare, store
from d2lvi.outputs.images import Figure
from d2lvi.outputs.tolerance import Tolerance
from tests.outputs.plots import line_plot


def notebook(*cells: dict) -> dict:
    """A minimal notebook dict with the given code cells."""
    return {"cells": [{"cell_type": "code", "metadata": {}, **c} for c in cells]}


def result(text: str) -> dict:
    """An execute_result output."""
    return {"output_type": "execute_result", "data": {"text/plain": text}, "metadata": {}}


def cells(*specs: dict) -> list[store.Cell]:
    """Stored-form cells of a notebook."""
    return store.cells_from_notebook(notebook(*specs))


ONE = cells({"source": "x = 1\nx", "outputs": [result("1")]})


def test_identical_outputs_have_no_divergence():
    assert compare.compare(ONE, ONE) == []


def test_trailing_whitespace_is_the_only_text_normalisation():
    a = cells({"source": "x", "outputs": [result("1  \n\n")]})
    b = cells({"source": "x", "outputs": [result("1")]})
    c = cells({"source": "x", "outputs": [result(" 1")]})
    assert compare.compare(a, b) == []
    assert compare.compare(a, c) != []


def test_changed_number_names_the_cell_and_shows_both_values():
    new = cells({"source": "x = 1\nx", "outputs": [result("2")]})
    [d] = compare.compare(ONE, new)
    assert (d.index, d.first_line, d.kind) == (1, "x = 1", "changed")
    assert "-1" in d.diff.splitlines() and "+2" in d.diff.splitlines()


def test_a_new_first_line_is_changed_code_and_the_same_first_line_only_changed_output():
    renamed = cells({"source": "y = 1\ny", "outputs": [result("1")]})
    [d] = compare.compare(ONE, renamed)
    assert (d.index, d.first_line, d.kind) == (1, "y = 1", "code-changed")
    assert "-## [1] x = 1" in d.diff.splitlines() and "+## [1] y = 1" in d.diff.splitlines()


def test_tagged_cell_is_listed_but_not_compared():
    tagged = {"source": "%time f()", "metadata": {"tags": [store.SKIP_TAG]}}
    a = cells({**tagged, "outputs": [result("Wall time: 1 s")]})
    b = cells({**tagged, "outputs": [result("Wall time: 9 s")]})
    assert compare.compare(a, b) == []
    assert "not compared" in a[0].body


def test_inserted_cell_is_extra_and_later_cells_still_align():
    two = cells({"source": "a", "outputs": [result("1")]}, {"source": "b", "outputs": []})
    three = cells({"source": "a", "outputs": [result("1")]}, {"source": "new", "outputs": []},
                  {"source": "b", "outputs": []})
    found = compare.compare(two, three)
    assert [(d.kind, d.first_line) for d in found] == [("extra", "new")]


def test_removed_cell_is_missing():
    two = cells({"source": "a", "outputs": []}, {"source": "b", "outputs": []})
    one = cells({"source": "a", "outputs": []})
    found = compare.compare(two, one)
    assert [(d.kind, d.index, d.first_line) for d in found] == [("missing", 2, "b")]


def test_the_cells_tolerance_replaces_the_book_default():
    stored = cells({"source": "loss", "outputs": [result("0.500")]})
    inside = cells({"source": "loss", "outputs": [result("0.5004")],
                    "metadata": {"tolerance": "1e-3"}})
    assert compare.compare(stored, inside) == []
    book = compare.Settings(text=Tolerance(abs=1e-2))
    undeclared = cells({"source": "loss", "outputs": [result("0.505")]})
    assert compare.compare(stored, undeclared, book) == []
    assert compare.compare(stored, undeclared) != []  # the default is exact


def test_settings_come_from_the_configuration_values():
    settings = compare.Settings.from_config({compare.CONFIG_TEXT: {"rel": "1e-6"}})
    assert settings == compare.Settings(text=Tolerance(rel=1e-6))
    try:
        compare.Settings.from_config({compare.CONFIG_FIGURE: {"rms": -1}})
    except compare.SettingError as err:
        assert err.key == compare.CONFIG_FIGURE
    else:
        raise AssertionError("a negative bound must be refused")


def plot_cell(index: int, data: bytes, name: str = "c.outputs/cell-02-1.svg") -> store.Cell:
    """A cell whose only output is one SVG figure."""
    body = f"[display]\n<Figure size 350x250 with 1 Axes>\n[image/svg+xml] {name}"
    return store.Cell(index, "d2l.plot(x, y)", body, (Figure("image/svg+xml", name, data),))


def test_a_figure_that_changes_while_its_text_repr_does_not_is_caught():
    [d] = compare.compare([plot_cell(2, line_plot((0, 1, 4)))],
                          [plot_cell(2, line_plot((0, 1, 8)))])
    [change] = d.figures
    assert "c.outputs/cell-02-1.svg" in d.diff and change.summary in d.diff
    assert any(line.startswith("+") for line in change.detail)


def test_a_figure_is_compared_even_when_the_cell_moved():
    old = plot_cell(2, line_plot((0, 1, 4)), "c.outputs/cell-02-1.svg")
    new = plot_cell(3, line_plot((0, 1, 4)), "c.outputs/cell-03-1.svg")
    first = store.Cell(1, "import numpy as np", "(no output)")
    added = store.Cell(2, "x = 1", "(no output)")
    found = compare.compare([first, old], [first, added, new])
    assert [(d.kind, d.first_line) for d in found] == [("extra", "x = 1")]


def test_long_figure_lines_are_cut_around_their_first_difference():
    line = "  line2d path " + "a" * 300
    shown = compare.shorten(["-" + line + " stroke:#bf00bf x", "+" + line + " stroke:#ff0000 x"])
    assert all(len(s) <= compare.DETAIL_WIDTH for s in shown)
    assert "#bf00bf" in shown[0] and "#ff0000" in shown[1]
