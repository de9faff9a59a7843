"""A plain d2l-en section made into a translation template."""

from pathlib import Path

from d2lvi.source.pairs import parse
from d2lvi.source.plain import to_template

PLAIN = (Path(__file__).resolve().parents[1] / "data" / "import" / "plain" / "chapter_demo" /
         "plainsec.md").read_text(encoding="utf-8")
HEADINGS = {"summary": "Tóm tắt", "exercises": "Bài tập", "discussions": "Thảo luận"}


def test_every_english_block_goes_into_a_comment_followed_by_a_placeholder():
    chapter = parse(to_template(PLAIN, HEADINGS))
    assert [p.en for p in chapter.pairs] == [
        "# Plain Section", "This is a plain d2l-en section,\nwith two lines.",
        "MXNet readers see this.", "## Two Numbers", "We add them.", "* Adding is easy.",
        "1. Add three numbers."]
    assert all(p.untranslated for p in chapter.pairs)


def test_other_frameworks_code_and_tabs_are_left_out():
    template = to_template(PLAIN, HEADINGS)
    assert "import torch" not in template and "Only PyTorch" not in template
    assert ":begin_tab:" not in template and "np.array([1, 2]).sum()" in template


def test_parts_start_at_the_title_and_each_level_two_heading():
    chapter = parse(to_template(PLAIN, HEADINGS))
    assert chapter.parts == (1, 2)


def test_fixed_headings_come_translated_and_the_forum_link_closes_the_parts():
    template = to_template(PLAIN, HEADINGS)
    assert "\n## Tóm tắt\n" in template and "\n## Bài tập\n" in template
    assert template.rstrip().endswith(
        "## Thảo luận\n* [Tiếng Anh](https://discuss.d2l.ai/t/1)\n"
        "* [Tiếng Việt](https://forum.machinelearningcoban.com/c/d2l)")


def test_the_label_follows_the_title_placeholder():
    assert "# *dịch tiêu đề phía trên*\n:label:`sec_plainsec`" in to_template(PLAIN, HEADINGS)
