"""The output gate's pure core: text form, normalisation, comparison."""

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


def test_identical_outputs_have_no_divergence():
    cells = store.cells_from_notebook(ONE)
    assert store.compare(cells, cells) == []


def test_trailing_whitespace_is_the_only_normalisation():
    a = store.cells_from_notebook(notebook({"source": "x", "outputs": [result("1  \n\n")]}))
    b = store.cells_from_notebook(notebook({"source": "x", "outputs": [result("1")]}))
    c = store.cells_from_notebook(notebook({"source": "x", "outputs": [result(" 1")]}))
    assert store.compare(a, b) == []
    assert store.compare(a, c) != []


def test_consecutive_streams_of_the_same_name_are_merged():
    split = notebook({"source": "p", "outputs": [stream("a\n"), stream("b\n")]})
    whole = notebook({"source": "p", "outputs": [stream("a\nb\n")]})
    assert store.cells_from_notebook(split) == store.cells_from_notebook(whole)


def test_stderr_is_kept_apart_from_stdout():
    out = notebook({"source": "p", "outputs": [stream("a\n"), stream("a\n", "stderr")]})
    body = store.cells_from_notebook(out)[0].body
    assert body == "[stdout]\na\n[stderr]\na"


def test_changed_number_names_the_cell_and_shows_both_values():
    new = notebook({"source": "x = 1\nx", "outputs": [result("2")]})
    [d] = store.compare(store.cells_from_notebook(ONE), store.cells_from_notebook(new))
    assert (d.index, d.first_line, d.kind) == (1, "x = 1", "changed")
    assert "-1" in d.diff.splitlines() and "+2" in d.diff.splitlines()


def test_error_output_is_compared_by_name_and_message():
    err = {"output_type": "error", "ename": "NameError", "evalue": "name 'y' is not defined",
           "traceback": ["\x1b[31m...ansi noise..."]}
    cells = store.cells_from_notebook(notebook({"source": "y", "outputs": [err]}))
    assert cells[0].body == "[error]\nNameError: name 'y' is not defined"


def test_tagged_cell_is_listed_but_not_compared():
    tagged = {"source": "%time f()", "metadata": {"tags": [store.SKIP_TAG]}}
    a = store.cells_from_notebook(notebook({**tagged, "outputs": [stream("Wall time: 1 s")]}))
    b = store.cells_from_notebook(notebook({**tagged, "outputs": [stream("Wall time: 9 s")]}))
    assert store.compare(a, b) == []
    assert "not compared" in a[0].body


def test_inserted_cell_is_extra_and_later_cells_still_align():
    two = notebook({"source": "a", "outputs": [result("1")]}, {"source": "b", "outputs": []})
    three = notebook(
        {"source": "a", "outputs": [result("1")]},
        {"source": "new", "outputs": []},
        {"source": "b", "outputs": []},
    )
    found = store.compare(store.cells_from_notebook(two), store.cells_from_notebook(three))
    assert [(d.kind, d.first_line) for d in found] == [("extra", "new")]


def test_removed_cell_is_missing():
    two = notebook({"source": "a", "outputs": []}, {"source": "b", "outputs": []})
    one = notebook({"source": "a", "outputs": []})
    found = store.compare(store.cells_from_notebook(two), store.cells_from_notebook(one))
    assert [(d.kind, d.index, d.first_line) for d in found] == [("missing", 2, "b")]


def test_binary_outputs_are_reduced_to_a_digest():
    png = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}, "metadata": {}}
    body = store.cells_from_notebook(notebook({"source": "plot()", "outputs": [png]}))[0].body
    assert body.startswith("[display]\n<image/png sha256:")
