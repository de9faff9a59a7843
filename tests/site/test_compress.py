"""Pre-compressed siblings of the built site: written once per content, decodable, stable."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

from d2lvi.site.compress import compress_site

PAGE = ("<html><body>" + "<p>Tích chập chuyển vị</p>\n" * 200 + "</body></html>").encode()
CSS = b".a{color:red}\n" * 300


def site(tmp_path: Path) -> Path:
    """A small output folder: a page, a static stylesheet, a font, a tiny script."""
    out = tmp_path / "html"
    (out / "_static").mkdir(parents=True)
    (out / "page.html").write_bytes(PAGE)
    (out / "_static" / "theme.css").write_bytes(CSS)
    (out / "_static" / "font.woff2").write_bytes(os.urandom(4000))
    (out / "_static" / "tiny.js").write_bytes(b"var x = 1;\n")
    return out


def test_text_files_get_brotli_and_gzip_siblings_that_decode_to_them(tmp_path: Path) -> None:
    out = site(tmp_path)
    assert compress_site(out, tmp_path / "memo.json") == 2
    assert brotli.decompress((out / "page.html.br").read_bytes()) == PAGE
    assert gzip.decompress((out / "page.html.gz").read_bytes()) == PAGE
    assert brotli.decompress((out / "_static" / "theme.css.br").read_bytes()) == CSS
    # Fonts are compressed already; below 1 KiB compression does not pay.
    assert not (out / "_static" / "font.woff2.br").exists()
    assert not (out / "_static" / "tiny.js.br").exists()


def test_siblings_are_byte_identical_across_builds(tmp_path: Path) -> None:
    first, second = site(tmp_path / "a"), site(tmp_path / "b")
    compress_site(first, tmp_path / "a.json")
    compress_site(second, tmp_path / "b.json")
    for name in ("page.html.br", "page.html.gz", "_static/theme.css.gz"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_file_rewritten_with_the_same_bytes_is_not_compressed_again(tmp_path: Path) -> None:
    out = site(tmp_path)
    memo = tmp_path / "memo.json"
    compress_site(out, memo)
    before = (out / "_static" / "theme.css.br").stat().st_mtime_ns
    (out / "_static" / "theme.css").unlink()
    (out / "_static" / "theme.css").write_bytes(CSS)  # as Sphinx copies static files each build
    os.utime(out / "_static" / "theme.css", ns=(before + 10**9, before + 10**9))
    assert compress_site(out, memo) == 0
    br = out / "_static" / "theme.css.br"
    assert brotli.decompress(br.read_bytes()) == CSS
    # Not older than the file, or a server would rightly refuse it.
    assert br.stat().st_mtime_ns >= (out / "_static" / "theme.css").stat().st_mtime_ns


def test_a_changed_file_gets_new_siblings_and_a_removed_one_loses_them(tmp_path: Path) -> None:
    out = site(tmp_path)
    memo = tmp_path / "memo.json"
    compress_site(out, memo)
    changed = PAGE.replace(b"chuy", b"CHUY")
    (out / "page.html").write_bytes(changed)
    (out / "_static" / "theme.css").unlink()
    assert compress_site(out, memo) == 1
    assert gzip.decompress((out / "page.html.gz").read_bytes()) == changed
    assert not (out / "_static" / "theme.css.br").exists()
    assert not (out / "_static" / "theme.css.gz").exists()
