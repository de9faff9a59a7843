"""A template repaired as a careful maintainer would: unclosed comments, retired QR images."""

from pathlib import Path

from d2lvi.source.pairs import parse
from d2lvi.source.repair import close_comments, drop_retired_qr, repaired

DATA = Path(__file__).resolve().parents[1] / "data" / "import" / "chapter_demo"
UNCLOSED = (DATA / "unclosed_vn.md").read_text(encoding="utf-8")
DISCUSSION = (DATA / "discussion_vn.md").read_text(encoding="utf-8")


def test_each_unclosed_comment_is_closed_where_the_next_block_starts_with_its_line():
    result = close_comments(UNCLOSED)
    assert [(n.line, n.message.rsplit(" ", 1)[1]) for n in result.notes] == [
        (10, "14"), (20, "23"), (28, "30")]
    assert all("(repaired unclosed comment) trước dòng" in n.message for n in result.notes)
    assert not result.ambiguous
    assert [p.en for p in parse(result.text).pairs] == [
        "# Unclosed Comments",
        "This English paragraph lost its closing mark,\nso it runs on into the next English block.",
        "The next English block is closed.",
        "A paragraph before a code cell lost its closing mark too.",
        "A paragraph right before its placeholder."]


def test_the_blank_line_after_the_paragraph_becomes_its_closing_so_lines_stay_the_sources():
    lines = close_comments(UNCLOSED).text.split("\n")
    assert lines[12] == "-->" and lines[13] == "<!--"  # source lines 13 and 14
    assert lines[21] == "-->" and lines[22] == "```{.python .input}"
    assert lines[29] == "-->" and lines[30] == "*dịch đoạn phía trên*"  # no blank: one more line


def test_a_repaired_text_is_repaired_again_into_itself():
    once = repaired(UNCLOSED + "\n" + DISCUSSION)
    twice = repaired(once.text)
    assert twice.text == once.text and not twice.notes and not twice.ambiguous


def test_an_unclosed_comment_of_several_paragraphs_is_ambiguous_and_left_alone():
    text = "<!--\nEnglish text.\n\nBản dịch, hay phần tiếp của bản gốc?\n\n*dịch đoạn phía trên*\n"
    result = close_comments(text)
    assert result.text == text and not result.notes
    [note] = result.ambiguous
    assert note.line == 1 and "several paragraphs" in note.message


def test_an_unclosed_comment_that_runs_to_the_end_of_the_file_is_ambiguous():
    [note] = close_comments("# Title\n\n<!--\nEnglish text.\n").ambiguous
    assert note.line == 3 and "end of the file" in note.message


def test_a_later_comment_is_still_repaired_after_an_ambiguous_one():
    text = ("<!--\nOne.\n\nTwo.\n\n<!--\nThree.\n-->\n\n*dịch đoạn phía trên*\n\n"
            "<!--\nFour.\n\n<!--\nFive.\n-->\n")
    result = close_comments(text)
    assert [n.line for n in result.ambiguous] == [1]
    assert [n.line for n in result.notes] == [12]


def test_closed_comments_and_markers_are_left_untouched():
    text = ("<!-- ===== Bắt đầu dịch Phần 1 ===== -->\n\n<!--\nEnglish.\n-->\n\n"
            "*dịch đoạn phía trên*\n")
    result = close_comments(text)
    assert result.text == text and not result.notes and not result.ambiguous


def test_a_retired_qr_image_is_dropped_in_english_and_translation_and_the_link_kept():
    result = drop_retired_qr(DISCUSSION)
    assert "qr_discussion" not in result.text
    assert [n.line for n in result.notes] == [22, 26, 34]
    assert all("(retired discussion QR image)" in n.message for n in result.notes)
    assert "## [Discussions](https://discuss.d2l.ai/t/9999)" in result.text
    assert "* [Tiếng Anh](https://discuss.d2l.ai/t/9999)" in result.text
    assert len(result.text.split("\n")) == len(DISCUSSION.split("\n"))


def test_an_ordinary_figure_and_an_image_inside_prose_are_kept():
    text = ("<!--\n![A dot.](../img/dot.svg)\n-->\n\n![*dịch chú thích ảnh phía trên*]"
            "(../img/dot.svg)\n\nSee ![](../img/qr_inline.svg) here.\n")
    result = drop_retired_qr(text)
    assert result.text == text and not result.notes
