"""Generate Colab-ready notebooks from the MyST chapters.

Each notebook keeps the chapter's code cells verbatim and in order; its Markdown is the
Vietnamese text in plain Markdown (Colab does not render MyST), with every English original
in a collapsed ``<details>`` after its translation. A first code cell, tagged
``d2lvi-setup``, installs what Colab lacks (MXNet 1.9.1 wants numpy < 2) and does nothing
where everything is already installed.

Pure core: ``build_notebook`` (chapter text in, notebook out) and ``render`` (notebook in,
text out). ``main`` is the thin CLI adapter of ``python -m d2lvi notebooks [--check]``.
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

from d2lvi.config import book_chapters
from d2lvi.export.config import (
    BookConfig,
    NotebookError,
    Recipe,
    Reference,
    colab_url,
    load_bibliography,
    load_book_config,
    load_recipe,
    notebook_path,
)
from d2lvi.export.markdown import MYST_LEFTOVER, Conversion, book_refs, markdown_cells
from d2lvi.export.setup_cell import SETUP_TAG, setup_source


def _cell_id(index: int, cell_type: str, source: str) -> str:
    """A stable cell id derived from the cell's position and content."""
    digest = hashlib.sha256(f"{index}\0{cell_type}\0{source}".encode()).hexdigest()
    return digest[:16]


def _setup_cell(recipe: Recipe) -> Any:
    """The first code cell: install what is missing, alias numpy.bool, seed."""
    # Colab shows a "#@title" cell in form view: the title, code one click away.
    return nbformat.v4.new_code_cell(setup_source(recipe),
                                     metadata={"cellView": "form", "tags": [SETUP_TAG]})


def build_notebook(text: str, chapter: str, config: BookConfig,
                   bibliography: dict[str, Reference], recipe: Recipe,
                   refs: dict[str, tuple[str, str]] | None = None,
                   read: Callable[[str], bytes] | None = None) -> Any:
    """A chapter's MyST text as a Colab-ready notebook (``chapter``: its book-relative path;
    ``refs``: the labels of the book's other sections; ``read``: a book file's bytes, for the
    figures the notebook carries)."""
    ctx = Conversion(chapter, config, bibliography, book_refs=dict(refs or {}), read=read)
    import jupytext  # only here: the book build imports this module for its button

    source_nb = jupytext.reads(text, fmt="md:myst")
    code_cells = [
        nbformat.v4.new_code_cell(c.source, metadata=dict(c.metadata))
        for c in source_nb.cells if c.cell_type == "code"
    ]
    cells = markdown_cells(ctx, text, chapter, code_cells)
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(min(first_code, 1 if cells and cells[0].cell_type == "markdown" else 0),
                 _setup_cell(recipe))
    for index, cell in enumerate(cells):
        cell["id"] = _cell_id(index, cell.cell_type, cell.source)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "colab": {"name": posixpath.basename(notebook_path(chapter)), "provenance": [],
                  "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (m := MYST_LEFTOVER.search(cell.source)):
            raise NotebookError(f"{chapter}: MyST còn sót trong sổ tay (MyST left) {m.group(0)!r}")
    return nb


def render(nb: Any) -> str:
    """The notebook's file content: validated, keys sorted, one trailing newline."""
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def generate(root: Path, chapters: list[str] | None = None,
             texts: dict[str, str] | None = None,
             read: Callable[[str], bytes] | None = None) -> dict[str, str]:
    """The chapters' notebook texts (default: every chapter of the book), keyed by their
    book-relative path; ``texts`` and ``read`` give sources and figures not written yet."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    config = load_book_config((root / "_config.yml").read_text(encoding="utf-8"))
    recipe = load_recipe(pyproject)
    bib_text = "\n".join((root / b).read_text(encoding="utf-8") for b in config.bibfiles)
    bibliography = load_bibliography(bib_text) if bib_text.strip() else {}
    texts = dict(texts or {})
    book = [c.as_posix() for c in book_chapters(root)]
    for chapter in book + list(chapters or []):
        if chapter not in texts and (root / chapter).exists():
            texts[chapter] = (root / chapter).read_text(encoding="utf-8")
    urls = {c: colab_url(config, notebook_path(c)) if config.repository_url else ""
            for c in texts}
    refs = book_refs({c: Conversion(c, config, bibliography) for c in texts}, texts, urls)
    out = {}
    for chapter in chapters if chapters is not None else [c for c in book if c in texts]:
        if chapter not in texts:
            raise NotebookError(f"{chapter}: không có tệp này (no such chapter)")
        if "```{code-cell}" not in texts[chapter]:
            continue  # nothing to run: a page without code gets no notebook (nor Colab button)
        nb = build_notebook(texts[chapter], chapter, config, bibliography, recipe, refs,
                            read or (lambda path: (root / path).read_bytes()))
        out[notebook_path(chapter)] = render(nb)
    return out


def main(argv: list[str]) -> int:
    """``python -m d2lvi notebooks [--check] [chapter ...]``: write or check the notebooks."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi notebooks",
                                     description="Generate the Colab notebooks.")
    parser.add_argument("chapters", nargs="*", help="default: chapter_*/ of _toc.yml")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a committed notebook is out of date")
    parser.add_argument("--root", default=".", help="the book's root directory")
    ns = parser.parse_args(argv)
    root = Path(ns.root)
    try:
        notebooks = generate(root, ns.chapters or None)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2
    status = 0
    for rel, text in notebooks.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if ns.check:
            print(f"{rel}: sổ tay lỗi thời so với chương (notebook out of date);"
                  " chạy `make notebooks`", file=sys.stderr)
            status = 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"đã ghi (written) {rel}")
    return status
