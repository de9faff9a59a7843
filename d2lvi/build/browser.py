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
    """One response the browser received: URL, status, MIME type, body size as received
    (``transferred``: compressed when the server sent it so) and decoded (``size``)."""

    url: str
    status: int
    content_type: str
    size: int
    transferred: int = -1  # -1: unknown, counted as ``size``

    @property
    def sent(self) -> int:
        """The bytes of the body that crossed the network."""
        return self.size if self.transferred < 0 else self.transferred


# Pre-compressed siblings (d2lvi.site.compress), best first, as static hosts serve them.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted_encodings(header: str) -> set[str]:
    """The content codings an ``Accept-Encoding`` header accepts (``q=0`` refuses one)."""
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            weight = float(q)
        except ValueError:
            weight = 1.0
        if name and weight > 0:
            accepted.add(name.strip().lower())
    return accepted


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request, pre-compressed when the browser accepts.

    Like nginx's ``gzip_static``/``brotli_static`` or Caddy's ``precompressed``: for a file
    ``x`` with a sibling ``x.br`` (or ``x.gz``) no older than it, a browser accepting that
    coding gets the sibling with ``Content-Encoding``; any other client gets ``x`` itself.
    """

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        """Stay silent: test output is for failures."""

    def send_head(self) -> Any:
        """The response head, for a compressed sibling when one is fresh and accepted."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepted = accepted_encodings(self.headers.get("Accept-Encoding", ""))
        for coding, suffix in ENCODINGS:
            sibling = path + suffix
            if coding in accepted and os.path.isfile(sibling) and os.path.isfile(path) and (
                    os.stat(sibling).st_mtime_ns >= os.stat(path).st_mtime_ns):
                body = open(sibling, "rb")  # noqa: SIM115 - closed by the base handler
                size = os.fstat(body.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(path))
                self.send_header("Content-Encoding", coding)
                self.send_header("Content-Length", str(size))
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return body
        return super().send_head()


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
        try:
            transferred = int(request.sizes()["responseBodySize"])
        except Exception:  # no timing for this request: count the decoded size
            transferred = -1
        resources.append(Resource(request.url, response.status,
                                  response.headers.get("content-type", ""), size, transferred))

    def on_failed(request: Any) -> None:
        resources.append(Resource(request.url, 0, "(failed)", 0))

    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", on_finished)
    page.remove_listener("requestfailed", on_failed)
    return resources
