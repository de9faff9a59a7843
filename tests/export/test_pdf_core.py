"""The PDF export's pure core: editions, font set-up, LaTeX logs traced back to the sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from d2lvi.export import pdf

DATA = Path(__file__).resolve().parents[1] / "data"
LOG = (DATA / "pdf-fail-undefined-macro.log").read_text(encoding="utf-8")
# A generated .tex as d2lvi.site.latex writes it: markers before the blocks.
TEX = "\n".join([
    r"\documentclass{sphinxmanual}",                       # 1
    r"\begin{document}",                                    # 2
    r"\sphinxAtStartPar",                                   # 3
    pdf.marker("t", "chapter_cnn/a.md", 40).rstrip("\n"),    # 4
    "Dòng đầu của đoạn văn,",                               # 5
    r"dòng thứ hai với \(\bbox{x}\).",                      # 6
    pdf.marker("b", "chapter_cnn/a.md", 45).rstrip("\n"),    # 7
    r"\begin{sphinxVerbatim}",                              # 8
    "print(1)",                                             # 9
    r"\end{sphinxVerbatim}",                                # 10
])


def test_first_error_of_a_log_gives_the_tex_line_message_and_context():
    error = pdf.parse_log(LOG)
    assert error == pdf.LatexError("./book.tex", 225, "Undefined control sequence.",
                                   r"Dòng thứ hai có công thức \(\bbox")


def test_a_clean_log_has_no_error():
    assert pdf.parse_log("This is XeTeX\nOutput written on book.xdv (17 pages).\n") is None


def test_an_error_without_file_takes_its_line_from_the_context():
    log = "! Emergency stop.\n<*> book.tex\nl.12 \\foo\n"
    assert pdf.parse_log(log) == pdf.LatexError("", 12, "Emergency stop.", r"\foo")


def test_a_paragraph_line_keeps_its_offset_from_the_marker():
    assert pdf.locate(TEX, 5) == ("chapter_cnn/a.md", 40)
    assert pdf.locate(TEX, 6) == ("chapter_cnn/a.md", 41)


def test_a_block_line_maps_to_the_block_start():
    assert pdf.locate(TEX, 9) == ("chapter_cnn/a.md", 45)


def test_the_preamble_has_no_source():
    assert pdf.locate(TEX, 2) is None


def test_context_words_pin_down_a_line_the_marker_gives_early():
    source = "\n".join(["a", "", "Dòng đầu của đoạn văn,", "dòng thứ hai với $\\bbox{x}$."])
    assert pdf.refine(source, 3, r"dòng thứ hai với \(\bbox") == 4
    assert pdf.refine(source, 3, r"\bbox") == 3  # no words to look for: unchanged


def test_error_line_is_one_line_with_source_line_and_log_path():
    error = pdf.LatexError("./book.tex", 6, "Undefined control sequence.",
                           r"dòng thứ hai với \(\bbox")
    source = "\n".join(["x"] * 39 + ["Dòng đầu của đoạn văn,", r"dòng thứ hai với $\bbox{x}$."])
    line = pdf.error_line(error, "book.tex", TEX, "_build/latex/book.log",
                          read=lambda path: source if path == "chapter_cnn/a.md" else None)
    assert "\n" not in line
    assert line == ("chapter_cnn/a.md:41: PDF001 LaTeX lỗi: Undefined control sequence. "
                    r"tại `dòng thứ hai với \(\bbox` (nhật ký: _build/latex/book.log)")


def test_an_error_outside_the_document_names_the_generated_file():
    error = pdf.LatexError("./book.tex", 2, "LaTeX Error: File `x.sty' not found.", "")
    line = pdf.error_line(error, "book.tex", TEX, "book.log")
    assert line.startswith("./book.tex:2: PDF001 ")


def test_editions_have_their_own_file_and_an_unknown_one_is_refused():
    assert pdf.pdf_name("vi") == "book.pdf"
    assert pdf.job_name("song-ngu") == "book-song-ngu"
    with pytest.raises(pdf.PdfError, match="song-ngu"):
        pdf.pdf_name("english")


def test_font_setup_names_the_three_families_and_needs_all_of_them():
    text = pdf.font_preamble({"serif": "Noto Serif", "sans": "Noto Sans", "mono": "Noto Mono"})
    assert r"\setmainfont{Noto Serif}" in text and r"\setsansfont{Noto Sans}" in text
    assert r"\setmonofont{Noto Mono}" in text
    with pytest.raises(pdf.PdfError, match="mono"):
        pdf.font_preamble({"serif": "A", "sans": "B"})
