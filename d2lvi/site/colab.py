"""Sphinx extension: an "Open in Colab" button and a notebook download on chapter pages.

A page gets both links when its notebook is committed under ``notebooks/`` (see
``d2lvi.export.notebook``). The repository is ``_config.yml``'s ``repository.url`` (Jupyter
Book hands it to the theme as ``repository_url`` / ``repository_branch`` / ``path_to_docs``)
or, when that is empty, the checkout's ``origin`` remote if it is on GitHub. With neither, the
Colab button (which would 404) is replaced by the download and a one-line hint on opening it
in Colab, and the theme's repository button is hidden. The notebook itself is shipped with
the HTML as a Sphinx download file.
"""

from __future__ import annotations

import html
import posixpath
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from d2lvi.export.config import BookConfig, NotebookError, colab_url, github_repository

logger = logging.getLogger(__name__)
STYLE_ID = "d2lvi-colab"

# Decorative icons (the link text says everything): no external image, no CDN badge.
COLAB_ICON = (
    '<svg class="d2lvi-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" '
    'width="20" height="20"><path fill="none" stroke="#e8710a" stroke-width="3" '
    'd="M10 7.5a5 5 0 1 0 0 9"/><path fill="none" stroke="#f9ab00" stroke-width="3" '
    'd="M14 7.5a5 5 0 1 1 0 9"/></svg>'
)
DOWNLOAD_ICON = (
    '<svg class="d2lvi-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" '
    'width="20" height="20"><path fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round" d="M12 4v11m-5-5 5 5 5-5M5 20h14"/></svg>'
)
CSS = """\
.d2lvi-notebook-links { display: flex; flex-wrap: wrap; gap: .5rem; margin: .25rem 0 1rem; }
.d2lvi-notebook-links a {
  display: inline-flex; align-items: center; gap: .4rem; padding: .3rem .8rem;
  border: 1px solid var(--pst-color-border, #c5c5c5); border-radius: .4rem;
  color: var(--pst-color-text-base, #222); background: var(--pst-color-surface, #f6f6f6);
  font-weight: 600; text-decoration: none;
}
.d2lvi-notebook-links a:hover { border-color: var(--pst-color-primary, #0a6b7c); }
.d2lvi-colab-hint {
  align-self: center; font-size: .85em; color: var(--pst-color-text-muted, #555);
}
.d2lvi-notebook-links a:focus-visible {
  outline: 3px solid var(--pst-color-primary, #0a6b7c); outline-offset: 2px;
}
.d2lvi-notebook-links .d2lvi-icon { flex: none; }
"""


def notebook_of(srcdir: Path, docname: str, notebooks_dir: str) -> str | None:
    """The committed notebook of a page (srcdir-relative, POSIX), if there is one."""
    rel = posixpath.join(notebooks_dir, docname + ".ipynb")
    return rel if (srcdir / rel).is_file() else None


def links_html(colab: str, download: str, colab_label: str, download_label: str,
               hint: str = "") -> str:
    """The links as HTML: Colab (when there is a repository) and the download, else the hint."""
    button = (f'<a class="d2lvi-colab" href="{html.escape(colab)}">{COLAB_ICON}'
              f"<span>{html.escape(colab_label)}</span></a>") if colab else ""
    note = f'<span class="d2lvi-colab-hint">{html.escape(hint)}</span>' if not colab else ""
    return (
        f'<p class="d2lvi-notebook-links">{button}'
        f'<a class="d2lvi-download-ipynb" href="{html.escape(download)}" download>'
        f"{DOWNLOAD_ICON}<span>{html.escape(download_label)}</span></a>{note}</p>"
    )


def origin_remote(folder: Path) -> str:
    """The ``origin`` remote URL of the checkout holding ``folder`` ("" when there is none)."""
    try:
        found = subprocess.run(["git", "-C", str(folder), "config", "--get", "remote.origin.url"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


def choose_repository(app: Sphinx, config: Any) -> None:
    """``config-inited``: the repository is _config.yml's, else the GitHub ``origin``, else none
    (then no repository button: it would point nowhere)."""
    options = config.html_theme_options
    if options is None:
        return
    if not str(options.get("repository_url", "") or "").strip():
        options["repository_url"] = github_repository(origin_remote(Path(app.srcdir)))
    # Jupyter Book refuses the button without a URL in _config.yml: it is turned on here.
    options["use_repository_button"] = bool(options["repository_url"])


def _book_config(app: Sphinx) -> BookConfig:
    """The repository settings Jupyter Book passed to the theme."""
    options = app.config.html_theme_options or {}
    return BookConfig(
        repository_url=str(options.get("repository_url", "")).rstrip("/"),
        branch=str(options.get("repository_branch", "") or "main"),
        path_to_book=str(options.get("path_to_docs", "") or "").strip("/"),
    )


def register_notebook(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: ship the page's notebook with the HTML (a Sphinx download file)."""
    env = app.env
    rel = notebook_of(Path(env.srcdir), env.docname, app.config.d2lvi_notebooks_dir)
    if rel is None:
        return
    env.note_dependency(str(Path(env.srcdir) / rel))
    env.dlfiles.add_file(env.docname, rel)


def insert_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: put both links under the page's title."""
    if app.builder.format != "html":
        return
    rel = posixpath.join(app.config.d2lvi_notebooks_dir, docname + ".ipynb")
    if rel not in app.env.dlfiles:
        return
    config = _book_config(app)
    try:
        colab = colab_url(config, rel) if config.repository_url else ""
    except NotebookError as err:
        logger.warning(f"[d2lvi.colab] {err}", location=docname, type="d2lvi", subtype="colab")
        return
    target = "_downloads/" + app.env.dlfiles[rel][1]
    download = relative_uri(app.builder.get_target_uri(docname), target)
    raw = nodes.raw("", links_html(colab, download, app.config.d2lvi_colab_label,
                                   app.config.d2lvi_download_label,
                                   app.config.d2lvi_colab_hint), format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, raw)
        return
    # After the title and its English original (d2lvi_title nodes), before the text.
    index = 1
    while index < len(section) and type(section[index]).__name__ == "d2lvi_title":
        index += 1
    section.insert(index, raw)


def inline_css(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
               doctree: Any) -> None:
    """``html-page-context``: the buttons' few rules in the head of the pages that show them.

    (Inline rather than a stylesheet: one request fewer for 0.6 KB.)
    """
    if 'class="d2lvi-notebook-links"' in context.get("body", ""):
        css = " ".join(line.strip() for line in CSS.splitlines())
        style = f'<style id="{STYLE_ID}">{css}</style>'
        context["metatags"] = context.get("metatags", "") + "\n" + style


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_notebooks_dir", "notebooks", "env", [str])
    app.add_config_value("d2lvi_colab_label", "Mở trong Colab", "html", [str])
    app.add_config_value("d2lvi_download_label", "Tải sổ tay (.ipynb)", "html", [str])
    app.add_config_value("d2lvi_colab_hint",
                         "Mở trong Colab: tải sổ tay về, rồi chọn File → Upload notebook "
                         "(Tệp → Tải sổ tay lên).", "html", [str])
    app.connect("config-inited", choose_repository)
    app.connect("doctree-read", register_notebook)
    app.connect("doctree-resolved", insert_links)
    app.connect("html-page-context", inline_css)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
