"""The bilingual Sphinx extension on a fixture chapter: pairs, English rendering, references."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]

CONF = '''
extensions = ["myst_nb", "sphinxcontrib.bibtex", "d2lvi.site.bilingual"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
nb_execution_mode = "off"
language = "vi"
numfig = True
numfig_format = {"figure": "Hình %s"}
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
d2lvi_external_refs = {"sec_conv_layer": {
    "number": "7.2", "title": "Convolutions for Images",
    "url": "https://d2l.ai/chapter_convolutional-neural-networks/conv-layer.html"}}
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Build the fixture chapter in its own process; return its HTML and the warnings."""
    src = tmp_path_factory.mktemp("src")
    (src / "conf.py").write_text(CONF)
    shutil.copy(DATA / "pairs-pass-small.md", src / "index.md")
    shutil.copy(DATA / "dot.svg", src / "dot.svg")
    shutil.copy(ROOT / "references.bib", src / "references.bib")
    (src / "bib.md").write_text("# Tài liệu\n\n```{bibliography}\n```\n")
    out = tmp_path_factory.mktemp("out")
    # A separate process: Sphinx registers nodes globally, so in-process builds by other
    # tests would add "already registered" noise to the warnings.
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E",
                           str(src), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return (out / "index.html").read_text(encoding="utf-8"), proc.stderr


def pair_blocks(html: str) -> list[str]:
    """The HTML of each pair."""
    return re.findall(r'<div class="d2lvi-pair">.*?</details></div>', html, re.DOTALL)


def test_build_emits_no_warning(built):
    html, warnings = built
    # The bibliography page is outside the toctree on purpose; everything else must be clean.
    assert [w for w in warnings.splitlines() if "toctree" not in w] == []


def test_each_translated_block_becomes_a_pair_with_its_english_on_demand(built):
    pairs = pair_blocks(built[0])
    assert len(pairs) == 3
    for pair in pairs:
        assert '<div class="d2lvi-vi" lang="vi">' in pair
        assert '<details class="d2lvi-en" lang="en"><summary lang="vi">' in pair


def test_english_is_rendered_not_left_as_source(built):
    first = pair_blocks(built[0])[0]
    english = first.split('<details class="d2lvi-en"')[1]
    assert "We pad the input with" in english
    assert ":numref:" not in english and ":cite:" not in english and "$p$" not in english
    assert r"\(p\)" in english  # math handed to MathJax


def test_english_list_and_figure_render_as_a_list_and_an_unnumbered_figure(built):
    pairs = pair_blocks(built[0])
    figure_en = pairs[1].split('<details class="d2lvi-en"')[1]
    assert "d2lvi-en-figure" in figure_en and "A small figure of" in figure_en
    assert "<img" in figure_en
    assert "Hình" not in figure_en  # only the Vietnamese figure is numbered
    assert "<li><p>First point.</p></li>" in pairs[2]


def test_figure_is_numbered_and_referenced_in_both_languages(built):
    html = built[0]
    assert 'id="fig-small"' in html
    assert html.count("Hình 1") >= 2  # the caption and the Vietnamese reference
    assert "Fig. 1" in html  # the English reference


def test_external_section_links_to_the_english_online_book(built):
    html = built[0]
    url = "https://d2l.ai/chapter_convolutional-neural-networks/conv-layer.html"
    link = rf'<a class="[^"]*d2lvi-external[^"]*" href="{re.escape(url)}"[^>]*>([^<]+)</a>'
    links = re.findall(link, html)
    assert sorted(links) == ["Section 7.2", "mục 7.2"]


def test_citations_resolve_in_both_languages(built):
    assert built[0].count("Dumoulin and Visin, 2016") == 2


def test_english_titles_sit_inside_their_sections(built):
    html = built[0]
    assert re.search(r"<h1>Đệm.*?</h1>\s*<details class=\"d2lvi-en d2lvi-en-title\" lang=\"en\">"
                     r"<summary lang=\"vi\">[^<]+</summary><p class=\"d2lvi-en-body\">Padding</p>",
                     html, re.DOTALL)
    assert re.search(r"<h2>Sải bước.*?</h2>\s*<details class=\"d2lvi-en d2lvi-en-title\"", html,
                     re.DOTALL)


def test_untranslated_block_shows_its_english_in_place_marked_untranslated(built):
    visible = re.sub(r"<!--.*?-->", "", built[0], flags=re.DOTALL)
    block = visible.split('<div class="d2lvi-untranslated" lang="en">')[1].split("</div>")[0]
    assert '<p class="d2lvi-untranslated-mark" lang="vi">Chưa dịch' in block
    assert "Still waiting for a translation." in block
    assert "dịch đoạn phía trên" not in visible


def test_contributors_render_without_empty_bullets_in_one_list(built):
    html = built[0]
    section = html.split('id="nhung-nguoi-thuc-hien"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", section, re.DOTALL)
    assert [re.sub(r"<[^>]+>", "", i).strip() for i in items] == ["Người Thứ Nhất", "Người Thứ Hai"]
    assert section.count("<ul") == 1


def test_page_language_is_vietnamese_and_ships_the_switch(built):
    html = built[0]
    assert '<html lang="vi"' in html
    assert "d2lvi-bilingual.js" in html and "d2lvi-bilingual.css" in html
