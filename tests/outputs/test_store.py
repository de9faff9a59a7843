"""The stored form: outputs as reviewable text, figures referenced as files, normalisation."""

import pytest

from d2lvi.outputs import store


def notebook(*cells: dict) -> dict:
    """A minimal notebook dict with the given code cells."""
    return {"cells": [{"cell_type": "code", "metadata": {}, **c} for c in cells]}


def result(text: str) -> dict:
    """An execute_result output."""
    return {"output_type": "execute_result", "data": {"text/plain": text}, "metadata": {}}


def stream(text: str, name: str = "stdout") -> dict:
    """A stream output."""
    return {"output_type": "stream", "name": name, "text": text}


ONE = notebook({"source": "x = 1\nx", "outputs": [result("1")]})


def test_render_then_parse_round_trips():
    cells = store.cells_from_notebook(ONE)
    assert store.parse(store.render(cells, "c.md")) == cells


def test_consecutive_streams_of_the_same_name_are_merged():
    split = notebook({"source": "p", "outputs": [stream("a\n"), stream("b\n")]})
    whole = notebook({"source": "p", "outputs": [stream("a\nb\n")]})
    assert store.cells_from_notebook(split) == store.cells_from_notebook(whole)


def test_stderr_is_kept_apart_from_stdout():
    out = notebook({"source": "p", "outputs": [stream("a\n"), stream("a\n", "stderr")]})
    body = store.cells_from_notebook(out)[0].body
    assert body == "[stdout]\na\n[stderr]\na"


def test_error_output_is_compared_by_name_and_message():
    err = {"output_type": "error", "ename": "NameError", "evalue": "name 'y' is not defined",
           "traceback": ["\x1b[31m...ansi noise..."]}
    cells = store.cells_from_notebook(notebook({"source": "y", "outputs": [err]}))
    assert cells[0].body == "[error]\nNameError: name 'y' is not defined"


def test_binary_outputs_other_than_figures_are_reduced_to_a_digest():
    pdf = {"output_type": "display_data", "data": {"application/pdf": "JVBERi0="}, "metadata": {}}
    body = store.cells_from_notebook(notebook({"source": "plot()", "outputs": [pdf]}))[0].body
    assert body.startswith("[display]\n<application/pdf sha256:")


SVG_DOC = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M 0 0 L 1 1"/></svg>'


def figure_output(**data: str) -> dict:
    """A display_data output as the inline backend writes it."""
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/plain": "<Figure size 350x250 with 1 Axes>", **data}}


def test_a_figure_is_referenced_by_one_line_and_carried_as_file_bytes():
    svg_output = figure_output(**{"image/svg+xml": SVG_DOC})
    nb = notebook({"source": "x = 1", "outputs": []}, {"source": "plot", "outputs": [svg_output]})
    cell = store.cells_from_notebook(nb, "c.outputs")[1]
    assert cell.body == ("[display]\n<Figure size 350x250 with 1 Axes>\n"
                         "[image/svg+xml] c.outputs/cell-02-1.svg")
    [figure] = cell.figures
    assert (figure.mime, figure.name, figure.data) == ("image/svg+xml", "c.outputs/cell-02-1.svg",
                                                       SVG_DOC.encode())


def test_figures_of_one_cell_are_numbered_in_order_png_and_svg_alike():
    outputs = [figure_output(**{"image/png": "iVBORw0KGgo="}),
               figure_output(**{"image/svg+xml": SVG_DOC})]
    [cell] = store.cells_from_notebook(notebook({"source": "p", "outputs": outputs}), "f")
    assert [f.name for f in cell.figures] == ["f/cell-01-1.png", "f/cell-01-2.svg"]


def test_parse_reads_figure_references_with_their_line():
    text = store.render(store.cells_from_notebook(notebook(
        {"source": "p", "outputs": [figure_output(**{"image/svg+xml": SVG_DOC})]}), "f"), "c.md")
    [cell] = store.parse(text)
    [figure] = cell.figures
    assert (figure.name, figure.data) == ("f/cell-01-1.svg", None)
    assert text.split("\n")[figure.line - 1] == "[image/svg+xml] f/cell-01-1.svg"


def test_the_compared_text_leaves_out_the_figure_file_name():
    cell = store.Cell(3, "p", "[display]\n[image/png] c.outputs/cell-03-1.png")
    assert cell.text == "[display]\n[image/png]"


def test_memory_addresses_in_reprs_are_masked():
    out = result("[<matplotlib.lines.Line2D at 0x7f6b3d8c4cd0>]")
    [cell] = store.cells_from_notebook(notebook({"source": "plt.plot(x)", "outputs": [out]}))
    assert cell.body == "[result]\n[<matplotlib.lines.Line2D at 0x…>]"


def test_a_declared_tolerance_is_read_from_the_cell_options():
    cell = {"source": "x", "outputs": [], "metadata": {"tolerance": {"abs": "1e-6", "rel": 0.01}}}
    [parsed] = store.cells_from_notebook(notebook(cell))
    assert parsed.tolerance == store.tolerance.Tolerance(abs=1e-6, rel=0.01)


def test_a_malformed_tolerance_names_the_cell():
    cells = [{"source": "a", "outputs": []},
             {"source": "b", "outputs": [], "metadata": {"tolerance": {"absolute": 1}}}]
    with pytest.raises(store.OptionError) as err:
        store.cells_from_notebook(notebook(*cells))
    assert err.value.index == 2 and "absolute" in str(err.value)
