"""The local test server answers like a static host with pre-compressed files."""

from __future__ import annotations

import gzip
import os
import urllib.request
from pathlib import Path

import brotli
import pytest

from d2lvi.build.browser import accepted_encodings, serve

CSS = b"body { color: black; }\n" * 200


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site: a stylesheet with both siblings, a page with none, an index."""
    (tmp_path / "a.css").write_bytes(CSS)
    (tmp_path / "a.css.br").write_bytes(brotli.compress(CSS))
    (tmp_path / "a.css.gz").write_bytes(gzip.compress(CSS, mtime=0))
    (tmp_path / "plain.html").write_bytes(b"<p>plain</p>")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "index.html").write_bytes(b"<p>index</p>" * 100)
    (tmp_path / "dir" / "index.html.gz").write_bytes(gzip.compress(b"<p>index</p>" * 100))
    return tmp_path


def get(url: str, encodings: str | None) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of a GET (nothing decoded)."""
    request = urllib.request.Request(url)
    if encodings is not None:
        request.add_header("Accept-Encoding", encodings)
    with urllib.request.urlopen(request) as response:
        return dict(response.headers), response.read()


def test_a_browser_accepting_brotli_gets_the_br_sibling_with_the_files_type(site: Path) -> None:
    with serve(site) as base:
        headers, body = get(base + "a.css?digest=1", "gzip, deflate, br, zstd")
    assert headers["Content-Encoding"] == "br"
    assert headers["Content-Type"] == "text/css"
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body) < len(CSS) / 10
    assert brotli.decompress(body) == CSS


def test_gzip_is_served_when_brotli_is_not_accepted_and_plain_when_nothing_is(site: Path) -> None:
    with serve(site) as base:
        gz_headers, gz_body = get(base + "a.css", "gzip")
        plain_headers, plain_body = get(base + "a.css", None)
        refused_headers, _ = get(base + "a.css", "br;q=0, gzip;q=0")
    assert gz_headers["Content-Encoding"] == "gzip" and gzip.decompress(gz_body) == CSS
    assert "Content-Encoding" not in plain_headers and plain_body == CSS
    assert "Content-Encoding" not in refused_headers


def test_a_sibling_older_than_its_file_is_never_served(site: Path) -> None:
    old = os.stat(site / "a.css").st_mtime_ns - 10**9
    for sibling in ("a.css.br", "a.css.gz"):
        os.utime(site / sibling, ns=(old, old))
    with serve(site) as base:
        headers, body = get(base + "a.css", "br, gzip")
    assert "Content-Encoding" not in headers and body == CSS


def test_a_folder_serves_its_index_compressed_and_a_file_without_siblings_as_is(
        site: Path) -> None:
    with serve(site) as base:
        index_headers, index_body = get(base + "dir/", "gzip")
        plain_headers, plain_body = get(base + "plain.html", "br, gzip")
    assert index_headers["Content-Encoding"] == "gzip"
    assert index_headers["Content-Type"] == "text/html"
    assert gzip.decompress(index_body) == b"<p>index</p>" * 100
    assert "Content-Encoding" not in plain_headers and plain_body == b"<p>plain</p>"


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepted_encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("") == set()
