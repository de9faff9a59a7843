"""A d2l-vn template as a MyST chapter: English kept, d2l syntax outside comments converted."""

from pathlib import Path

from d2lvi.source.pairs import parse
from d2lvi.source.template import to_myst

DATA = Path(__file__).resolve().parents[1] / "data" / "import" / "chapter_demo"
TINY = (DATA / "tiny_vn.md").read_text(encoding="utf-8")


def test_every_english_original_is_kept_byte_for_byte():
    assert [p.en for p in parse(to_myst(TINY).text).pairs] == [p.en for p in parse(TINY).pairs]


def test_the_chapter_is_a_myst_notebook_with_code_cells():
    text = to_myst(TINY).text
    assert text.startswith("---\njupytext:")
    assert text.count("```{code-cell} ipython3") == 3  # the PyTorch tab cell is left out
    assert "{.python .input" not in text


def test_a_2020_api_cell_is_adapted_and_reported():
    result = to_myst(TINY)
    assert "from d2l import mxnet as d2l\nfrom mxnet import np, npx" in result.text
    [(line, cell)] = result.adapted
    assert TINY.split("\n")[line - 1].startswith("```{.python .input  n=1}")
    assert "-import d2l" in cell.diff("x") and "+from d2l import mxnet as d2l" in cell.diff("x")


def test_the_other_frameworks_cell_is_dropped_and_reported():
    [(line, why)] = to_myst(TINY).dropped
    assert TINY.split("\n")[line - 1] == "```{.python .input  n=2}" and "framework" in why


def test_labels_become_targets_figure_names_and_equation_labels():
    text = to_myst(TINY).text
    assert "(sec_tiny)=\n# *dịch tiêu đề phía trên*" in text
    figure = ":::{figure} ../img/dot.svg\n:name: fig_dot\n:width: 100px\n\n*dịch chú thích ảnh"
    assert figure in text
    assert "$$y = \\sum_{a, b} x_{i+a, j+b} k_{a, b}.$$ (eq_tiny)" in text
    assert ":label:" not in text.replace("<!--", "").split("-->")[-1]


def test_placeholders_stay_untranslated_blocks_and_translations_stay():
    chapter = parse(to_myst(TINY).text)
    untranslated = [p for p in chapter.pairs if p.untranslated]
    assert len(untranslated) == 5 and len(chapter.pairs) == 7


def test_a_chapter_roots_toc_becomes_a_table_of_contents_and_its_part_counts_as_one():
    text = to_myst((DATA / "index_vn.md").read_text(encoding="utf-8")).text
    assert "```{tableofcontents}\n```" in text and "tiny_vn" not in text
    assert parse(text).parts == (1,)
    assert "(chap_demo)=\n# Mạng minh hoạ" in text


def test_converting_twice_gives_the_same_text():
    assert to_myst(TINY).text == to_myst(TINY).text
