"""Finding English originals and their translations in the comment convention."""

from pathlib import Path

from d2lvi.source.pairs import parse

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = (DATA / "pairs-pass-small.md").read_text()
CHAPTER = (Path(__file__).resolve().parents[2] / "chapter_cnn/transposed-conv.md").read_text()


def test_every_english_comment_inside_a_part_is_paired():
    chapter = parse(SMALL)
    assert [p.en.split("\n")[0] for p in chapter.pairs] == [
        "# Padding", "We pad the input with $p$ zeros (:numref:`sec_conv_layer`), see "
        ":numref:`fig_small` and :cite:`Dumoulin.Visin.2016`.",
        "![A small figure of $2\\times 2$ cells.](dot.svg)", "## Strides", "* First point.",
        "Still waiting for a translation.",
    ]
    assert chapter.parts == (1, 2)


def test_heading_pair_takes_the_target_and_the_heading_only():
    title = parse(SMALL).pairs[0]
    assert title.is_heading
    assert [b.kind for b in title.vi_blocks] == ["target", "heading"]
    assert title.vi.endswith("# Đệm")


def test_pairs_carry_one_based_lines():
    para = parse(SMALL).pairs[1]
    lines = SMALL.split("\n")
    assert lines[para.en_start - 1] == "<!--" and lines[para.en_end - 1] == "-->"
    assert lines[para.vi_start - 1].startswith("Ta đệm đầu vào")


def test_figure_and_list_translations_are_whole_blocks():
    pairs = parse(SMALL).pairs
    assert [b.kind for b in pairs[2].vi_blocks] == ["figure"]
    assert [b.kind for b in pairs[4].vi_blocks] == ["list"]
    assert pairs[4].vi == "* Ý thứ nhất.\n* Ý thứ hai."


def test_placeholder_counts_as_untranslated():
    pairs = parse(SMALL).pairs
    assert [p.untranslated for p in pairs] == [False] * 5 + [True]


def test_english_followed_directly_by_code_has_no_translation():
    text = "<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\nSome English.\n-->\n\n```python\nx\n```\n"
    [pair] = parse(text).pairs
    assert pair.vi_blocks == () and pair.untranslated


def test_comments_outside_the_parts_are_not_english_originals():
    text = "<!--\nA note to contributors.\n-->\n\nMột ghi chú.\n"
    assert parse(text).pairs == ()


def test_the_real_chapter_has_every_block_translated_in_four_parts():
    chapter = parse(CHAPTER)
    assert chapter.parts == (1, 2, 3, 4)
    assert len(chapter.pairs) == 21
    assert not [p.en_start for p in chapter.pairs if p.untranslated]
