"""Sphinx extension: every text file of the built site also as ``.br`` and ``.gz``.

Static hosts send compressed files to browsers that accept them, either compressing on the
fly (GitHub Pages: gzip) or serving the pre-compressed sibling (``file.br``, ``file.gz``; e.g.
nginx ``gzip_static``/``brotli_static``, Netlify, Caddy ``precompressed``). The theme's
stylesheet (400 KB), scripts and the pages are text that compresses 5–8×, so the book's
siblings are written at build time: Brotli at quality 5 (as fast as gzip; quality 11
saves another 15% but costs ~8 s of a cold build) and gzip 9 (no time stamp: rebuilds stay
byte-identical) for clients without Brotli. Source maps are left alone (no page loads
them). A file whose content did not change since its siblings were written is not
compressed again (Sphinx copies the theme's files anew in every build). The local test
server (``d2lvi.build.browser``) serves the siblings the way those hosts do.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from d2lvi.site.pagememo import PageMemo

SUFFIXES = {".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".ipynb"}
# Below this size a compressed response saves less than its headers cost.
MIN_SIZE = 1024
QUALITY = 5


def compressible(path: Path) -> bool:
    """Whether a built file gets compressed siblings."""
    return (path.suffix in SUFFIXES and not path.name.endswith(".tmp")
            and path.stat().st_size >= MIN_SIZE)


def siblings(path: Path) -> tuple[Path, Path]:
    """The Brotli and gzip siblings of a file."""
    return path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")


def write_siblings(path: Path, data: bytes, quality: int) -> None:
    """Write both compressed siblings of ``path`` (its ``data``), each atomically."""
    import brotli

    for target, body in zip(siblings(path), (brotli.compress(data, quality=quality),
                                             gzip.compress(data, compresslevel=9, mtime=0)),
                            strict=True):
        partial = target.with_name(target.name + ".tmp")
        partial.write_bytes(body)
        os.replace(partial, target)


def compress_site(outdir: Path, memo_path: Path) -> int:
    """Give every compressible file of ``outdir`` fresh siblings; how many were written."""
    files = sorted(p for p in outdir.rglob("*") if p.is_file() and compressible(p))
    memo = PageMemo(memo_path, outdir)
    previous = {k: v[1] for k, v in memo.saved.items()}
    digests = memo.results(files, lambda p: hashlib.sha256(p.read_bytes()).hexdigest())
    written = 0
    for path, digest in digests.items():
        key = path.relative_to(outdir).as_posix()
        br, gz = siblings(path)
        if previous.get(key) == digest and br.is_file() and gz.is_file():
            # Same content as when its siblings were written: they stay, made no older than
            # the file (servers rightly refuse a sibling older than its file).
            mtime = path.stat().st_mtime_ns
            for sibling in (br, gz):
                if sibling.stat().st_mtime_ns < mtime:
                    os.utime(sibling, ns=(mtime, mtime))
            continue
        write_siblings(path, path.read_bytes(), QUALITY)
        written += 1
    for stale in outdir.rglob("*.br"):  # siblings of files gone (a page removed)
        if not stale.with_suffix("").exists():
            stale.unlink()
            stale.with_name(stale.name[:-3] + ".gz").unlink(missing_ok=True)
    memo.save()
    return written


def _compress(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` (after the steps that rewrite pages): write the siblings."""
    if exception is None and app.builder.format == "html":
        compress_site(Path(app.outdir), Path(app.doctreedir) / "d2lvi-compressed.json")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    # Last: math typesetting and the icon font rewrite or add files at build-finished.
    app.connect("build-finished", _compress, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
