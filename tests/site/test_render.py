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
    assert lines.count(PAIR_FENCE) == 3
    assert lines.count(":::{d2lvi-title}") == 2


def test_untranslated_pairs_stay_hidden_comments():
    text = rewrite(SMALL)[0]
    assert "<!--\nStill waiting for a translation.\n-->" in text


def test_translation_without_a_blank_line_after_it_is_reported():
    source = "<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\nHello.\n-->\n\nXin chào.\n<div>x</div>\n"
    text, [problem] = rewrite(source)
    assert problem.line == 7
    assert text == source
