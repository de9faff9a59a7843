"""A built book in a real, offline browser: served on 127.0.0.1, opened in Debian's Chromium.

Shared by the browser tests (``tests/browser``) and the page-weight report (``d2lvi.build.weight``).
Playwright's own browser download does not work on these machines, so the system Chromium
(``make system-deps``) is launched instead.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("D2LVI_CHROMIUM", "/usr/bin/chromium"))
# Flags keep the headless browser offline and quiet: no updater, sync, or QUIC probes.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOOPBACK = "127.0.0.1"


class BrowserMissingError(RuntimeError):
    """Debian's Chromium is not installed."""


@dataclass(frozen=True)
class Resource:
    """One response the browser received: its URL, status, MIME type and body size."""

    url: str
    status: int
    content_type: str
    size: int


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        """Stay silent: test output is for failures."""


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 on a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def is_local(url: str) -> bool:
    """True for URLs the page may load: the loopback server, inline data and blobs."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOOPBACK


def launch(playwright: Any) -> Any:
    """Start Debian's headless Chromium through Playwright."""
    if not CHROMIUM.exists():
        raise BrowserMissingError(
            f"{CHROMIUM} không tồn tại: cài bằng `make system-deps` (apt-get install chromium)"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def record(page: Any, url: str) -> list[Resource]:
    """Open ``url`` in ``page`` until the network is idle; return every response (or failure)."""
    resources: list[Resource] = []

    def on_finished(request: Any) -> None:
        response = request.response()
        if response is None:
            return
        try:
            size = len(response.body())
        except Exception:  # redirects and aborted loads have no body
            size = 0
        resources.append(Resource(request.url, response.status,
                                  response.headers.get("content-type", ""), size))

    def on_failed(request: Any) -> None:
        resources.append(Resource(request.url, 0, "(failed)", 0))

    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", on_finished)
    page.remove_listener("requestfailed", on_failed)
    return resources
