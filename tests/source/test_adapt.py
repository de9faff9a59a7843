"""2020 d2l code adapted to the pinned d2l, every rewrite visible."""

from d2lvi.source.adapt import adapt


def test_the_bare_d2l_import_becomes_the_mxnet_module():
    cell = adapt("import d2l\nfrom mxnet import np\nd2l.corr2d(X, K)")
    assert cell.after == "from d2l import mxnet as d2l\nfrom mxnet import np\nd2l.corr2d(X, K)"
    assert cell.changed and len(cell.reasons) == 1


def test_a_modern_cell_is_left_alone():
    code = "from d2l import mxnet as d2l\nimport d2lzoo  # not d2l"
    assert adapt(code).after == code and not adapt(code).changed


def test_an_indented_import_keeps_its_indent_and_comment():
    assert adapt("if True:\n    import d2l  # helpers").after == (
        "if True:\n    from d2l import mxnet as d2l  # helpers")
