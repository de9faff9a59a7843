"""Page weight: the HTML plus every asset the browser actually loads, from its network log.

``python -m d2lvi.build.weight [--build-dir _build/html] [PAGE...]`` serves the built book on
127.0.0.1 as a static host would (pre-compressed siblings to a browser that accepts them),
opens each page (default: every section of the book) in Chromium and prints its table: the
bytes each response sent, and its size once decoded; then one line per page.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from d2lvi.build.browser import BrowserMissingError, Resource, is_local, launch, record, serve

DEFAULT_PAGE = "chapter_cnn/transposed-conv.html"


@dataclass(frozen=True)
class Weight:
    """What a page costs: bytes sent, bytes once decoded, requests, and requests that left."""

    sent: int
    total: int
    requests: int
    outside: tuple[str, ...]


def weigh(resources: Iterable[Resource]) -> Weight:
    """Sum the body sizes and count the requests, noting any that left 127.0.0.1."""
    items = list(resources)
    outside = tuple(r.url for r in items if not is_local(r.url))
    return Weight(sum(r.sent for r in items), sum(r.size for r in items), len(items), outside)


def _short(url: str) -> str:
    """The path of a URL without the query string (cache-busting digests)."""
    parts = urlsplit(url)
    return parts.path.lstrip("/") if is_local(url) else f"{parts.netloc}{parts.path}"


def table(resources: Iterable[Resource], top: int | None = None) -> str:
    """A plain-text table of the responses, biggest first (bytes sent), with the totals."""
    items = sorted(resources, key=lambda r: (r.sent, r.size), reverse=True)
    weight = weigh(items)
    shown = items if top is None else items[:top]
    width = max([len(_short(r.url)) for r in shown] + [5])
    lines = [f"{'sent':>9}  {'share':>5}  {'decoded':>9}  {'asset':<{width}}  type"]
    for r in shown:
        share = 100 * r.sent / weight.sent if weight.sent else 0
        lines.append(f"{r.sent:>9,}  {share:>4.1f}%  {r.size:>9,}  {_short(r.url):<{width}}  "
                     f"{r.content_type.split(';')[0]}")
    if len(shown) < len(items):
        rest = items[len(shown):]
        lines.append(f"{sum(r.sent for r in rest):>9,}  {'':>5}  {sum(r.size for r in rest):>9,}"
                     f"  ({len(rest)} more)")
    lines.append(f"{weight.sent:>9,}  {'':>5}  {weight.total:>9,}  total, {weight.requests} "
                 f"requests ({weight.sent / 1024:.0f} KiB sent, {weight.total / 1024:.0f} KiB "
                 "decoded)")
    for url in weight.outside:
        lines.append(f"OUTSIDE 127.0.0.1: {url}")
    return "\n".join(lines)


def measure(build_dir: Path, page: str, width: int = 1280) -> list[Resource]:
    """Serve ``build_dir``, open ``page`` in Chromium, return what the browser fetched."""
    return measure_all(build_dir, [page], width)[page]


def measure_all(build_dir: Path, pages: list[str], width: int = 1280
                ) -> dict[str, list[Resource]]:
    """What the browser fetched for each page (a fresh tab each: nothing cached between)."""
    from playwright.sync_api import sync_playwright

    out = {}
    with serve(build_dir) as base, sync_playwright() as p:
        browser = launch(p)
        try:
            for page in pages:
                context = browser.new_context(viewport={"width": width, "height": 900})
                out[page] = record(context.new_page(), base + page)
                context.close()
        finally:
            browser.close()
    return out


def book_pages() -> list[str]:
    """The built pages of the book's sections (``chapter_*/`` of _toc.yml)."""
    from d2lvi.config import book_chapters

    return [c.with_suffix(".html").as_posix() for c in book_chapters()] or [DEFAULT_PAGE]


def main(argv: list[str] | None = None) -> int:
    """Print the weight of built pages; exit 1 if one requested anything outside."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi.build.weight", description=__doc__)
    parser.add_argument("pages", nargs="*", help="default: every section of the book")
    parser.add_argument("--build-dir", type=Path, default=Path("_build/html"))
    parser.add_argument("--top", type=int, default=None, help="show only the N biggest")
    args = parser.parse_args(argv)
    pages = args.pages or book_pages()
    missing = [p for p in pages if not (args.build_dir / p).is_file()]
    if missing:
        print(f"{args.build_dir / missing[0]}: không có trang này; chạy `make html` trước")
        return 2
    try:
        measured = measure_all(args.build_dir, pages)
    except BrowserMissingError as error:
        print(error)
        return 2
    for page, resources in measured.items():
        print(f"{page} (as loaded by Chromium: bytes sent, and decoded)")
        print(table(resources, args.top) + "\n")
    width = max(len(p) for p in pages)
    for page, resources in measured.items():
        weight = weigh(resources)
        print(f"{page:<{width}}  {weight.sent / 1024:7.1f} KiB sent  "
              f"{weight.total / 1024:7.1f} KiB decoded  {weight.requests:3d} requests")
    return 1 if any(weigh(r).outside for r in measured.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
