"""The PDF edition end to end (d2lvi.site.latex, latex_writer and pdflink, d2lvi.build.pdf):
`make pdf` on a copy of the book, the PDF opened with poppler's tools (pdftotext, pdffonts,
pdftoppm): fonts, Vietnamese text, table of contents, figures, outputs, references, both
editions, the HTML link, a LaTeX error, and no kernel started after `make html`.

(Here, not under tests/build/: pytest's default ``norecursedirs`` skips folders named
``build``.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fontTools.ttLib import TTFont
from PIL import Image

from d2lvi.build.scratch import copy_book, make_command
from d2lvi.outputs.store import parse as parse_outputs
from d2lvi.source.pairs import blocks_of
from d2lvi.source.pairs import parse as parse_pairs

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
CHAPTER = "chapter_cnn/transposed-conv.md"
# Prose only: no markup, math, code, roles or links (they do not print as written).
PROSE = re.compile(r"^[^\W\d_][^`$*{}\[\]<>_#|\\]*[.?!:]$")


def nfc(text: str) -> str:
    """NFC with every run of white space made one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def toc_entries(book: Path) -> list[tuple[str, int]]:
    """Every source of the book in _toc.yml order with its depth (root -1, chapters 0…)."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    entries = [(toc["root"], -1)]

    def walk(items: list[dict], depth: int) -> None:
        for item in items:
            if "file" in item:
                entries.append((item["file"], depth))
            walk(item.get("sections", []), depth + 1)

    walk(toc.get("chapters", []), 0)
    for part in toc.get("parts", []):
        walk(part.get("chapters", []), 0)
    return [(f if f.endswith(".md") else f + ".md", d) for f, d in entries]


def toc_files(book: Path) -> list[str]:
    """Every source of the book, in _toc.yml order (the root first)."""
    return [file for file, _ in toc_entries(book)]


def prose_sentences(text: str) -> list[str]:
    """Vietnamese sentences of a source as they should print: plain prose paragraphs only."""
    sentences = []
    for block in blocks_of(text):
        if block.kind != "paragraph" or block.text.lstrip().startswith(("<!--", "(", ":")):
            continue
        for sentence in re.split(r"(?<=[.?!])\s+", nfc(block.text)):
            if PROSE.match(sentence) and len(sentence) >= 25:
                sentences.append(sentence)
    return sentences


def headings(text: str) -> list[tuple[str, int]]:
    """The section titles of a source with their level (``#`` = 1; comments are skipped)."""
    return [(nfc(b.text.lstrip("#")), b.level) for b in blocks_of(text) if b.kind == "heading"]


def run(*args: str | Path, **kwargs) -> str:
    """A poppler tool's standard output."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          **kwargs)
    return done.stdout


def pdf_text(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    """The text layer of a PDF (or of one page); ``layout`` keeps columns (code) together."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", *pages, *(["-layout"] if layout else []), pdf, "-")


def body_pages(pdf: Path) -> list[str]:
    """The text of each page without its running head, folio and URL footnotes."""
    height = float(re.search(r"^Page size:\s+[\d.]+ x ([\d.]+)", run("pdfinfo", pdf), re.M)[1])
    pages = []
    for page in range(1, page_count(pdf) + 1):
        text = run("pdftotext", "-f", page, "-l", page, "-x", 0, "-y", 65, "-W", 2000,
                   "-H", int(height - 65 - 60), pdf, "-")
        text = re.sub(r"^\d+ https?://\S+$", "", unicodedata.normalize("NFC", text), flags=re.M)
        pages.append("\n".join(line.strip() for line in text.splitlines() if line.strip()))
    return pages


def prints(sentence: str, pages: list[str]) -> bool:
    """Whether a sentence is in the text: on one page, or ending a page's text and going on
    at the start of a line of the next page (a figure floated to its top may come first)."""
    if any(sentence in nfc(page) for page in pages):
        return True
    words = sentence.split()
    for page, following in zip(pages, pages[1:], strict=False):
        text, lines = nfc(page), following.splitlines()
        for cut in range(1, len(words)):
            if text.endswith(" ".join(words[:cut])):
                tail = " ".join(words[cut:])
                if any(nfc(" ".join(lines[i:])).startswith(tail) for i in range(len(lines))):
                    return True
    return False


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF."""
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", pdf), re.M)[1])


def pages_with(pdf: Path, pattern: str) -> list[int]:
    """The pages whose text matches ``pattern``."""
    return [p for p in range(1, page_count(pdf) + 1) if re.search(pattern, pdf_text(pdf, p))]


@dataclass
class Built:
    """A copy of the book after `make html` then `make pdf` (both editions)."""

    book: Path
    kernel_marker: Path
    trap_env: dict[str, str]
    html_before_pdf: str

    @property
    def vi(self) -> Path:
        """The Vietnamese edition."""
        return self.book / "_build" / "pdf" / "book.pdf"

    @property
    def bilingual(self) -> Path:
        """The bilingual edition."""
        return self.book / "_build" / "pdf" / "book-song-ngu.pdf"


def kernel_trap(folder: Path) -> tuple[dict[str, str], Path]:
    """An environment whose ``python3`` kernel only leaves a file behind and exits."""
    import os

    marker = folder / "a-kernel-started"
    spec = folder / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    code = f"import pathlib, sys; pathlib.Path({str(marker)!r}).touch(); sys.exit(1)"
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", code, "-f", "{connection_file}"],
        "display_name": "trap", "language": "python"}))
    return {**os.environ, "JUPYTER_PATH": str(folder / "jupyter")}, marker


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The book copied, built as HTML, then as PDF in both editions with kernels trapped."""
    book = copy_book(tmp_path_factory.mktemp("pdf") / "book")
    html = subprocess.run(make_command("html"), cwd=book, capture_output=True, text=True)
    assert html.returncode == 0, html.stdout + html.stderr
    page = (book / "_build/html" / CHAPTER.replace(".md", ".html")).read_text(encoding="utf-8")
    env, marker = kernel_trap(tmp_path_factory.mktemp("trap"))
    for edition in ("vi", "song-ngu"):
        proc = subprocess.run([*make_command("pdf"), f"EDITION={edition}"], cwd=book, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return Built(book, marker, env, page)


def test_no_kernel_starts_during_make_pdf_after_make_html(built):
    assert not built.kernel_marker.exists()
    # The trap is real: a kernel started the way MyST-NB starts one does leave the file.
    marker = str(built.kernel_marker)
    starter = ("import os, time\nfrom jupyter_client.manager import KernelManager\n"
               "km = KernelManager(kernel_name='python3')\nkm.start_kernel()\n"
               f"for _ in range(100):\n    time.sleep(0.1)\n    if os.path.exists({marker!r}):"
               "\n        break\nkm.cleanup_resources()\n")
    subprocess.run([sys.executable, "-c", starter], env=built.trap_env, capture_output=True,
                   timeout=60)
    assert built.kernel_marker.exists()
    built.kernel_marker.unlink()


def test_every_font_is_embedded_and_the_configured_families_are_used(built):
    config = yaml.safe_load((built.book / "_config.yml").read_text(encoding="utf-8"))
    fonts = config["sphinx"]["config"]["d2lvi_pdf_fonts"]
    for pdf in (built.vi, built.bilingual):
        rows = run("pdffonts", pdf).splitlines()[2:]
        assert rows
        for row in rows:
            # name type [type2] encoding emb sub uni object ID
            assert row.split()[-5] == "yes", f"{pdf.name}: not embedded: {row}"
        names = " ".join(row.split()[0] for row in rows)
        for family in fonts.values():
            assert family.replace(" ", "") in names, f"{family} not used in {pdf.name}"


def test_configured_fonts_carry_every_vietnamese_letter():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    letters = {unicodedata.normalize("NFC", base + tone)
               for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
               for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")} | set("đĐ")
    assert len(letters) == 146
    for family in config["sphinx"]["config"]["d2lvi_pdf_fonts"].values():
        for style in ("Regular", "Bold", "Italic"):
            pattern = f"{family}:style={style}"
            # fc-match falls back to another family when one is missing: that must fail.
            assert family in run("fc-match", "--format=%{family}", pattern).split(",")
            path = run("fc-match", "--format=%{file}", pattern)
            cmap = TTFont(path).getBestCmap()
            missing = sorted(c for c in letters if ord(c) not in cmap)
            assert not missing, f"{family} {style} ({path}) lacks {missing}"


def test_sample_sentences_of_every_section_print_with_their_diacritics(built):
    pages = body_pages(built.vi)
    stacked: set[str] = set()
    for file in toc_files(built.book):
        source = (built.book / file).read_text(encoding="utf-8")
        samples = prose_sentences(source)
        if file == "references.md":  # its body is the bibliography: cited entries' titles
            samples = [title for _key, title in cited_titles(built.book)]
        assert samples, f"no prose sample in {file}"
        for sample in samples:
            assert prints(sample, pages), f"{file}: {sample!r} missing from the PDF text"
            # Letters with two diacritics (a vowel mark and a tone), e.g. ầ ổ ữ ặ.
            stacked |= {c for c in sample if len(unicodedata.normalize("NFD", c)) == 3}
    assert {"ầ", "ổ", "ữ", "ặ"} & stacked and len(stacked) >= 8, sorted(stacked)


def cited_titles(book: Path) -> list[tuple[str, str]]:
    """(key, title) of every references.bib entry a section of the book cites."""
    from pybtex.database import parse_file

    entries = parse_file(str(book / "references.bib"), "bibtex").entries
    keys: set[str] = set()
    for file in toc_files(book):
        text = (book / file).read_text(encoding="utf-8")
        for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", text):
            keys |= {k.strip() for k in group.split(",")}
    return [(k, nfc(entries[k].fields["title"].replace("{", "").replace("}", "")))
            for k in sorted(keys)]


def test_the_bibliography_lists_only_the_cited_entries(built):
    """references.bib is all of d2l's bibliography; the PDF prints what the book cites."""
    from pybtex.database import parse_file

    cited = dict(cited_titles(built.book))
    assert cited
    entries = parse_file(str(built.book / "references.bib"), "bibtex").entries
    text = nfc(pdf_text(built.vi))
    uncited = [nfc(e.fields["title"].replace("{", "").replace("}", ""))
               for k, e in entries.items() if k not in cited and "title" in e.fields]
    assert len(uncited) > 400
    printed = [t for t in uncited if len(t) > 30 and t in text and t not in cited.values()]
    assert not printed, f"uncited entries in the PDF: {printed[:3]}"


def test_glossary_terms_print_in_vietnamese(built):
    text = nfc(pdf_text(built.vi))
    entries = yaml.safe_load((built.book / "i18n/glossary.yml").read_text(encoding="utf-8"))
    for entry in entries:
        assert nfc(re.sub(r"[*_`]", "", entry["vi"][0])) in text  # Markdown emphasis dropped


def test_table_of_contents_lists_every_section(built):
    first_chapter = pages_with(built.vi, r"(?i)chương\s+1")[0]
    contents = [p for p in range(1, first_chapter) if "Mục lục" in pdf_text(built.vi, p)]
    assert contents
    toc = nfc(" ".join(pdf_text(built.vi, p) for p in range(contents[0], first_chapter)))
    # Chapters, sections and subsections (LaTeX depth 0-2: \setcounter{tocdepth}{2}); a
    # file's "#" title is at its depth in _toc.yml, "##" one deeper… The root's title is
    # the book's, not an entry.
    titles = [title for file, depth in toc_entries(built.book)[1:]
              for title, level in headings((built.book / file).read_text(encoding="utf-8"))
              if depth + level - 1 <= 2 and not re.search(r"[`$*{}\[\]\\]", title)]
    assert len(titles) >= len(toc_entries(built.book)) - 1
    for title in titles:
        assert title in toc, f"{title!r} not in the table of contents"


def test_every_stored_code_output_prints(built):
    text = nfc(pdf_text(built.vi, layout=True))
    cells = parse_outputs((built.book / CHAPTER.replace(".md", ".outputs.txt"))
                          .read_text(encoding="utf-8"))
    # Each cell's body: "[result]" / "[stdout]"… headers, each followed by its text.
    results = [part.strip() for cell in cells
               for part in re.split(r"^\[[a-z/+.-]+\]$", cell.body, flags=re.M)
               if part.strip() and part.strip() != "(no output)"]
    assert len(results) >= 5
    for result in results:
        assert nfc(result) in text


def test_figure_pages_render_non_blank(built, tmp_path):
    captions = pages_with(built.vi, r"Hình \d+\.\d+:")
    assert captions
    for page in captions:
        out = tmp_path / f"page-{page}"
        run("pdftoppm", "-r", "40", "-gray", "-png", "-f", page, "-l", page, "-singlefile",
            built.vi, out)
        image = Image.open(f"{out}.png").convert("L")
        ink = image.histogram()[:200]
        ink = sum(ink) / (image.width * image.height)
        assert ink > 0.03, f"page {page}: only {ink:.1%} ink"
    # Every SVG figure of the sources was converted to a vector PDF that draws something.
    svgs = {Path(m).stem for f in toc_files(built.book)
            for m in re.findall(r"^:::\{figure\} (\S+\.svg)$",
                                (built.book / f).read_text(encoding="utf-8"), re.M)}
    assert svgs
    for stem in svgs:
        converted = built.book / "_build/latex" / f"{stem}.pdf"
        assert not re.search(r"/Subtype\s*/Image", converted.read_bytes().decode("latin-1"))
        out = tmp_path / f"figure-{stem}"
        run("pdftoppm", "-r", "40", "-gray", "-png", "-singlefile", converted, out)
        image = Image.open(f"{out}.png").convert("L")
        assert sum(image.histogram()[:200]) > 0.01 * image.width * image.height, stem


def test_references_and_citations_give_the_right_page(built):
    text = nfc(pdf_text(built.vi))
    figure = re.search(r"Hình (\d+\.\d+) \(trang (\d+)\)", text)
    assert figure, "no page reference to a figure"
    # The printed page number (its own line in the header or footer), not the PDF's page.
    caption = pages_with(built.vi, rf"Hình {re.escape(figure[1])}:")
    assert [p for p in caption if re.search(rf"^{figure[2]}$", pdf_text(built.vi, p), re.M)]
    citation = re.search(r"\[Dumoulin and Visin, 2016, trang (\d+)\]", text)
    assert citation
    entry = pages_with(built.vi, r"A guide to convolution arithmetic")
    assert [p for p in entry if re.search(rf"^{citation[1]}$", pdf_text(built.vi, p), re.M)]


def test_fixed_strings_and_title_page_are_vietnamese(built):
    config = yaml.safe_load((built.book / "_config.yml").read_text(encoding="utf-8"))
    assert nfc(config["title"]) in nfc(pdf_text(built.vi, 1))
    text = pdf_text(built.vi)
    for word in ("Mục lục", "Hình 1.1", "Tài liệu tham khảo", "Thuật ngữ"):
        assert word in text
    assert re.search(r"(?i)chương\s+1", text)
    for english in ("Chapter", "Contents", "Figure", "Bibliography", "continued", "Index"):
        assert english not in text


def test_no_vietnamese_word_is_hyphenated_at_a_line_end(built):
    sources = " ".join((built.book / f).read_text(encoding="utf-8")
                       for f in toc_files(built.book))
    lines = [line.strip() for line in pdf_text(built.vi).splitlines()]
    for line, following in zip(lines, lines[1:], strict=False):
        if re.search(r"[^\W\d_]-$", line) and following:
            word = line.split()[-1] + following.split()[0]
            assert word in sources, f"a word broken at a line end: {word!r}"


def test_bilingual_edition_sets_each_english_original_after_its_translation(built):
    chapter = parse_pairs((built.book / CHAPTER).read_text(encoding="utf-8"))
    pair = next(p for p in chapter.pairs if not p.is_heading and not p.untranslated
                and PROSE.match(nfc(p.en).split(". ")[0] + "."))
    english = nfc(pair.en).split(". ")[0]
    vietnamese = next(s for s in prose_sentences(pair.vi) if s)
    both = nfc(pdf_text(built.bilingual))
    assert english in both and vietnamese in both
    assert both.index(vietnamese) < both.index(english)
    assert english not in nfc(pdf_text(built.vi))
    # Smaller type: the English words are shorter boxes than the Vietnamese ones.
    boxes = run("pdftotext", "-bbox", built.bilingual, "-")
    heights = {}
    for word in (english.split()[1], vietnamese.split()[1]):
        found = re.search(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{re.escape(word)}<',
                          boxes)
        heights[word] = float(found[2]) - float(found[1])
    assert heights[english.split()[1]] < heights[vietnamese.split()[1]]


def test_two_pdf_builds_of_the_same_source_are_byte_identical(built, tmp_path):
    first = tmp_path / "first.pdf"
    shutil.copyfile(built.vi, first)
    shutil.rmtree(built.book / "_build/latex")  # nothing reused: LaTeX written and run again
    proc = subprocess.run(make_command("pdf"), cwd=built.book, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert built.vi.read_bytes() == first.read_bytes()


def test_html_pages_link_the_pdf_once_it_is_built(built):
    assert "d2lvi-pdf-links" not in built.html_before_pdf
    html = built.book / "_build/html"
    page = (html / CHAPTER.replace(".md", ".html")).read_text(encoding="utf-8")
    assert '<a href="../book.pdf" download>Tải PDF</a>' in page
    assert '<a href="../book-song-ngu.pdf" download>Tải PDF song ngữ</a>' in page
    assert (html / "book.pdf").read_bytes() == built.vi.read_bytes()


def test_latex_error_names_the_source_line_and_keeps_the_old_pdf(built, tmp_path):
    book = tmp_path / "broken"
    shutil.copytree(built.book, book, symlinks=True,
                    ignore=shutil.ignore_patterns(".d2lvi-server*"))
    old = book / "_build/pdf/book.pdf"
    old.write_bytes(b"%PDF-1.5 an earlier build\n")
    path = book / CHAPTER
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("## Tóm tắt")  # a new paragraph before this heading
    fixture = (DATA / "pdf-fail-mathjax-only.md").read_text(encoding="utf-8").rstrip("\n")
    lines[at:at] = [fixture, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    proc = subprocess.run(make_command("pdf"), cwd=book, capture_output=True, text=True)
    assert proc.returncode != 0
    located = [line for line in (proc.stdout + proc.stderr).splitlines() if "PDF001" in line]
    assert len(located) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert located[0].startswith(f"{CHAPTER}:{at + 1}: PDF001 LaTeX lỗi: Undefined control")
    assert "\\bbox" in located[0] and located[0].endswith("(nhật ký: _build/latex/book.log)")
    assert (book / "_build/latex/book.log").exists()
    assert old.read_bytes() == b"%PDF-1.5 an earlier build\n"
    assert not list((book / "_build/pdf").glob("*.partial"))


def test_make_pdf_after_a_failed_one_runs_latex_again(built, tmp_path):
    """A failure no change of book.tex caused (here a broken fontspec.sty first on TeX's path,
    as a missing font was) does not stick: once it is gone, the next make pdf builds."""
    book = tmp_path / "again"
    shutil.copytree(built.book, book, symlinks=True,
                    ignore=shutil.ignore_patterns(".d2lvi-server*"))
    broken = tmp_path / "texinputs"
    broken.mkdir()
    (broken / "fontspec.sty").write_text(
        "\\ProvidesPackage{fontspec}\\PackageError{fontspec}{simulated missing font}{}\n")
    env = {**built.trap_env, "TEXINPUTS": f"{broken}:"}
    for name in ("book.fdb_latexmk", "book.pdf"):  # so that this first run sets the PDF
        (book / "_build/latex" / name).unlink()
    failed = subprocess.run(make_command("pdf"), cwd=book, env=env, capture_output=True,
                            text=True)
    assert failed.returncode != 0
    assert "simulated missing font" in failed.stdout + failed.stderr
    tex = book / "_build/latex/book.tex"
    tex_before = tex.read_bytes()
    again = subprocess.run(make_command("pdf"), cwd=book, env=built.trap_env,
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert tex.read_bytes() == tex_before  # the same LaTeX: only the rerun made it work
    assert page_count(book / "_build/pdf/book.pdf") > 1


def test_the_back_matter_is_unnumbered_in_the_contents_and_its_headings(built):
    """The unnumbered parts after the content (glossary, bibliography) print as chapters
    without a number, as the HTML book shows them."""
    toc = yaml.safe_load((built.book / "_toc.yml").read_text(encoding="utf-8"))
    numbered = sum(len(p["chapters"]) for p in toc["parts"] if p.get("numbered"))
    back = [c["file"] for p in toc["parts"] if not p.get("numbered") for c in p["chapters"]]
    assert back and numbered
    contents = "\n".join(re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", line)).strip()
                         for page in range(1, 7)
                         for line in pdf_text(built.vi, page, layout=True).splitlines())
    for file in back:
        title = headings((built.book / f"{file}.md").read_text(encoding="utf-8"))[0][0]
        entry = re.search(rf"(?m)^(\S+ )?{re.escape(title)}[ .]*\d+$", contents)
        assert entry, f"{title} not in the contents"
        assert entry.group(1) is None, f"{title} is numbered {entry.group(1)!r} in the contents"
    text = nfc(pdf_text(built.vi))
    assert f"Chương {numbered}" in text and f"Chương {numbered + 1}" not in text
