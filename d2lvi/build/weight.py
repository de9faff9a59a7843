"""Page weight: the HTML plus every asset the browser actually loads, from its network log.

``python -m d2lvi.build.weight [--build-dir _build/html] [PAGE]`` serves the built book on
127.0.0.1 as a static host would (pre-compressed siblings to a browser that accepts them),
opens the page in Chromium and prints a table: the bytes each response sent, and its size
once decoded.
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
    from playwright.sync_api import sync_playwright

    with serve(build_dir) as base, sync_playwright() as p:
        browser = launch(p)
        try:
            tab = browser.new_page(viewport={"width": width, "height": 900})
            return record(tab, base + page)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Print the weight table of one built page; exit 1 if it requested anything outside."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi.build.weight", description=__doc__)
    parser.add_argument("page", nargs="?", default=DEFAULT_PAGE)
    parser.add_argument("--build-dir", type=Path, default=Path("_build/html"))
    parser.add_argument("--top", type=int, default=None, help="show only the N biggest")
    args = parser.parse_args(argv)
    if not (args.build_dir / args.page).is_file():
        print(f"{args.build_dir / args.page}: không có trang này; chạy `make html` trước")
        return 2
    try:
        resources = measure(args.build_dir, args.page)
    except BrowserMissingError as error:
        print(error)
        return 2
    print(f"{args.page} (as loaded by Chromium: bytes sent, and decoded)")
    print(table(resources, args.top))
    return 1 if weigh(resources).outside else 0


if __name__ == "__main__":
    raise SystemExit(main())
