"""The templates' bytecode cache: reused by the next build, never stale after an edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from d2lvi.site.templatecache import cache_dir

CONF = """\
extensions = ["d2lvi.site.templatecache"]
templates_path = ["_templates"]
html_theme = "basic"
"""
LAYOUT = '{%- extends "!layout.html" %}{% block footer %}<p>MARK-@</p>{% endblock %}\n'


def project(root: Path) -> Path:
    """A one-page Sphinx project whose layout template prints a marker."""
    src = root / "src"
    (src / "_templates").mkdir(parents=True)
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text("Trang\n=====\n\nChữ.\n")
    (src / "_templates" / "layout.html").write_text(LAYOUT.replace("@", "one"))
    return src


def build(src: Path, out: Path) -> None:
    """A fresh (-E) Sphinx build of ``src`` in its own process; doctrees in ``out/.doctrees``."""
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-b", "html", "-d",
                           str(out / ".doctrees"), str(src), str(out / "html")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def cached(out: Path) -> dict[str, int]:
    """The cache's files and their modification times."""
    return {p.name: p.stat().st_mtime_ns for p in cache_dir(out / ".doctrees").iterdir()}


def test_the_next_build_takes_every_template_from_the_cache(tmp_path: Path) -> None:
    src, out = project(tmp_path), tmp_path / "out"
    build(src, out)
    first = cached(out)
    page = (out / "html" / "index.html").read_bytes()
    assert len(first) > 5  # the page's layout and the theme templates it extends or includes

    build(src, out)
    assert cached(out) == first  # nothing compiled, so nothing written again
    assert (out / "html" / "index.html").read_bytes() == page


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    src, out = project(tmp_path), tmp_path / "out"
    build(src, out)
    assert "MARK-one" in (out / "html" / "index.html").read_text(encoding="utf-8")

    (src / "_templates" / "layout.html").write_text(LAYOUT.replace("@", "two"))
    build(src, out)
    page = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "MARK-two" in page and "MARK-one" not in page
