"""A book of many sections made from the real one, for the benchmark and the build tests.

Each extra section is a copy of a real chapter under a new name: its labels get a suffix
(``fig_trans_conv`` -> ``fig_trans_conv_2``) wherever the copy defines or cites them, its
title a number, and it is listed in ``_toc.yml`` (the book's sections are its ``chapter_*/``
files) with its stored outputs and Colab notebook, so the copy builds, gates and links like the
original. The book's content is that chapter and its copies (its other sections leave the
table of contents): a book of N sections is N of the same size.
The "peer" configuration is the same book for plain Jupyter Book: the book's own settings
(execution cache, parsing, bibliography) with Jupyter Book's default Sphinx extensions.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from d2lvi.build.scratch import copy_book
from d2lvi.source.pairs import blocks_of

CHAPTER = Path("chapter_cnn/transposed-conv.md")
# MyST label definitions: a `(name)=` target line, or a directive's `:name:`/`:label:` option.
LABEL_DEFINITIONS = (re.compile(r"^\(([\w.:-]+)\)=\s*$", re.M),
                     re.compile(r"^:(?:name|label):\s*([\w.:-]+)\s*$", re.M))
# Ends the first code cell of each copy (a Python comment: outputs unchanged).
COPY_MARK = "bản sao số"


def defined_labels(text: str) -> list[str]:
    """The labels a MyST chapter defines, in order of appearance."""
    found: list[str] = []
    for pattern in LABEL_DEFINITIONS:
        found += [m[1] for m in pattern.finditer(text) if m[1] not in found]
    return found


def renamed_copy(text: str, number: int) -> str:
    """A chapter's text as section ``number``: labels suffixed, top headings numbered, and a
    comment naming the copy at the end of its first code cell.

    (jupyter-cache keys executions on the code: without the comment every copy would reuse
    the original's execution and a benchmark of N sections would execute one.)
    """
    for label in defined_labels(text):
        text = re.sub(rf"(?<![\w.:-]){re.escape(label)}(?![\w.:-])", f"{label}_{number}", text)
    lines = text.split("\n")
    blocks = blocks_of(text)
    # The Vietnamese title is a level-1 heading, the English one a comment holding only that.
    for block in blocks:
        body = block.text.strip().split("\n")
        if (block.kind == "heading" and block.level == 1) or (
                block.kind == "comment" and len(body) == 3 and body[1].startswith("# ")):
            at = block.start - 1 + (block.kind == "comment")
            lines[at] = f"{lines[at].rstrip()} ({number})"
    code = next((b for b in blocks if b.kind == "code" and "{code-cell}" in b.text), None)
    if code is not None:
        lines[code.end - 1] = f"# {COPY_MARK} {number}\n{lines[code.end - 1]}"
    return "\n".join(lines)


def section_path(chapter: Path, number: int) -> Path:
    """Where copy ``number`` of a chapter goes (beside it)."""
    return chapter.with_name(f"{chapter.stem}-{number}{chapter.suffix}")


def add_sections(book: Path, sections: int, chapter: Path = CHAPTER) -> list[Path]:
    """Turn ``book`` into a book of ``sections`` sections; the copies' paths (book-relative)."""
    source = (book / chapter).read_text(encoding="utf-8")
    outputs = book / chapter.with_name(chapter.stem + ".outputs.txt")
    notebook = book / "notebooks" / chapter.with_suffix(".ipynb")
    copies = [section_path(chapter, n) for n in range(2, sections + 1)]
    for number, copy in enumerate(copies, start=2):
        (book / copy).write_text(renamed_copy(source, number), encoding="utf-8")
        if outputs.is_file():
            (book / copy.with_name(copy.stem + ".outputs.txt")).write_bytes(outputs.read_bytes())
        if notebook.is_file():
            target = book / "notebooks" / copy.with_suffix(".ipynb")
            target.write_bytes(notebook.read_bytes())
    _add_to_toc(book / "_toc.yml", chapter, copies)
    return copies


def _add_to_toc(toc: Path, chapter: Path, copies: list[Path]) -> None:
    """Make the chapter and its copies the book's content; the appendix stays as it is."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    files = [{"file": c.with_suffix("").as_posix()} for c in [chapter, *copies]]
    appendix = [p for p in data.get("parts", [])[1:]] or (
        [{"caption": "Phụ lục", "chapters": [c for c in data.get("chapters", [])
                                            if not str(c.get("file", "")).startswith("chapter_")]}]
        if data.get("chapters") else [])
    data.pop("chapters", None)
    data["parts"] = [{"caption": "Nội dung", "numbered": True, "chapters": files}, *appendix]
    toc.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_book(dest: Path, sections: int) -> Path:
    """A scratch copy of the book with ``sections`` sections (the real one first)."""
    book = copy_book(dest)
    add_sections(book, sections)
    return book


def write_peer_config(book: Path) -> None:
    """Make ``book`` a plain Jupyter Book: its settings, Jupyter Book's default extensions.

    The ``sphinx:`` section (the d2lvi extensions, the explicit extension list) and the
    ``latex:`` one go, so Jupyter Book builds with its defaults; execution stays cached.
    """
    path = book / "_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.pop("sphinx", None)
    config.pop("latex", None)
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
