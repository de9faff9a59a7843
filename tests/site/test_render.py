"""The line-preserving rewrite of the comment convention into directives."""

from pathlib import Path

from d2lvi.site.render import PAIR_FENCE, rewrite

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = (DATA / "pairs-pass-small.md").read_text()


def test_rewrite_keeps_every_line_in_place():
    text, problems = rewrite(SMALL)
    assert problems == []
    assert len(text.split("\n")) == len(SMALL.split("\n"))


def test_body_pairs_become_fenced_directives_and_titles_title_directives():
    lines = rewrite(SMALL)[0].split("\n")
    assert lines.count(PAIR_FENCE + "{d2lvi-pair}") == 3
    assert lines.count(PAIR_FENCE) == 4  # three pairs and one untranslated block
    assert lines.count(":::{d2lvi-title}") == 2


def test_an_untranslated_block_shows_its_english_in_place():
    lines = rewrite(SMALL)[0].split("\n")
    start = lines.index(PAIR_FENCE + "{d2lvi-untranslated}")
    assert lines[start + 1 : start + 5] == ["Still waiting for a translation.", "-->", "",
                                             "*dịch đoạn phía trên*"]
    assert lines[start + 5] == PAIR_FENCE


def test_an_untranslated_heading_takes_its_english_title_and_a_mark():
    source = ("<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\n## Pooling (:numref:`sec_x`)\n-->\n\n"
              "(sec_pool)=\n## *dịch tiêu đề phía trên*\n\n<!-- == Kết thúc dịch Phần 1 == -->\n")
    lines = rewrite(source)[0].split("\n")
    assert lines[2:5] == [":::{d2lvi-untranslated-title}", "## Pooling (:numref:`sec_x`)", ":::"]
    assert lines[6:8] == ["(sec_pool)=", "## Pooling ({numref}`sec_x`)"]
    assert len(lines) == len(source.split("\n"))


def test_an_english_block_with_no_translation_at_all_is_shown_alone():
    source = ("<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\nHello.\n-->\n\n"
              "<!-- == Kết thúc dịch Phần 1 == -->\n")
    lines = rewrite(source)[0].split("\n")
    assert lines[2:5] == [PAIR_FENCE + "{d2lvi-untranslated}", "Hello.", PAIR_FENCE]


def test_translation_without_a_blank_line_after_it_is_reported():
    source = "<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\nHello.\n-->\n\nXin chào.\n<div>x</div>\n"
    text, [problem] = rewrite(source)
    assert problem.line == 7
    assert text == source
