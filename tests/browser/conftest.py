"""Browser fixtures: one book build per session, served on 127.0.0.1, opened in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from book_site import AXE, Visit, build_book
from playwright.sync_api import sync_playwright

from d2lvi.build.browser import BrowserMissingError, is_local, launch, serve


@pytest.fixture(scope="session")
def book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built once per session from the current working tree."""
    return build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def base_url(book_html: Path) -> Iterator[str]:
    """The built book served on 127.0.0.1 (a free port)."""
    with serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium; a missing browser fails with the install command."""
    with sync_playwright() as p:
        try:
            chromium = launch(p)
        except BrowserMissingError as error:
            pytest.fail(str(error))
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    """A fresh tab (empty storage) at 1280 px that refuses every request leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Visit(page, base_url)

    def guard(route: Any) -> None:
        """Let local requests through; record and abort everything else."""
        if is_local(route.request.url):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda m: m.type == "error" and seen.errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: seen.errors.append(f"pageerror: {error}"))
    yield seen
    context.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from npm; missing means `make assets` was not run."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} không có: chạy `make assets` (npm ci) trước")
    return AXE
