"""d2l's Markdown dialect rewritten as MyST for the English originals."""

from d2lvi.source.convert import d2l_to_myst


def test_numref_gets_an_english_title_by_label_prefix():
    assert d2l_to_myst(":numref:`fig_x` and :numref:`sec_y`") == (
        "{numref}`Fig. %s <fig_x>` and {numref}`Section %s <sec_y>`"
    )


def test_numref_with_an_unknown_prefix_stays_plain():
    assert d2l_to_myst(":numref:`eq_z`") == "{numref}`eq_z`"


def test_cite_becomes_a_parenthetical_citation():
    assert d2l_to_myst("as :cite:`A.B.2016` shows") == "as {cite:p}`A.B.2016` shows"


def test_label_lines_are_dropped_so_labels_are_defined_once():
    assert d2l_to_myst("Text.\n:label:`sec_x`") == "Text."


def test_a_lone_image_line_becomes_an_unnamed_figure():
    assert d2l_to_myst("![A $2\\times 2$ kernel.](../img/k.svg)") == (
        ":::{figure} ../img/k.svg\nA $2\\times 2$ kernel.\n:::"
    )


def test_math_and_inline_code_are_untouched():
    text = "Use `corr2d` on $X_{i,j}$."
    assert d2l_to_myst(text) == text
