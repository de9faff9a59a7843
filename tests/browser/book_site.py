"""The book as the browser tests see it: built from a copy of the tree, a tab that records.

The book is built from a copy of the working tree in a temporary directory (the jupyter-cache
and Sphinx environment live there too), so the tests never depend on, or disturb, ``_build``.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

from d2lvi.build.scratch import copy_book
from d2lvi.config import book_chapters

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "chapter_cnn/transposed-conv.html"
# Every section of the book, as built pages: the tests that any page must pass run on each.
PAGES = [c.with_suffix(".html").as_posix() for c in book_chapters(ROOT)]
# The copy is a checkout whose origin is on GitHub: the Colab and repository buttons come
# from it (the committed _config.yml names no repository).
ORIGIN = "https://github.com/owner-x/repo-y.git"
SCREENSHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

def build_book(workdir: Path) -> Path:
    """Copy the working tree into ``workdir``, build the book there; return its HTML dir."""
    if not (ROOT / "node_modules" / "mathjax").is_dir():
        pytest.fail("node_modules/mathjax không có: chạy `make assets` (npm ci) trước")
    source = copy_book(workdir / "book")
    for git in (["init", "-q"], ["remote", "add", "origin", ORIGIN]):
        subprocess.run(["git", "-C", str(source), *git], check=True, capture_output=True)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    # cwd=source: the jupyter-cache path in _config.yml is relative to the working directory
    # and the output gate expects it inside the book.
    result = subprocess.run(
        [str(jupyter_book), "build", str(source), "--path-output", str(workdir), "-W",
         "--keep-going"],
        cwd=source, capture_output=True, text=True, timeout=900,
    )
    html = workdir / "_build" / "html"
    if result.returncode != 0 or not (html / CHAPTER).is_file():
        log = (result.stdout + result.stderr)[-4000:]
        pytest.fail(f"jupyter-book build failed (exit {result.returncode}):\n{log}")
    return html


@dataclass
class Visit:
    """A browser tab and what it saw: every request, blocked ones, console errors."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str = CHAPTER) -> Page:
        """Load a page of the book and wait for the network (math is typeset already)."""
        self.page.goto(self.base_url + path, wait_until="networkidle")
        return self.page

    def screenshot(self, name: str) -> Path:
        """Write a full-page screenshot for reviewers under ``_build/screenshots``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


