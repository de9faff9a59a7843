"""Sphinx extension: an offline, light page — MathJax served from the book, unused assets dropped.

- MathJax v3 comes from npm (``make assets`` runs ``npm ci``); the components named in
  ``mathjax3_config.loader.load`` are copied from ``node_modules/mathjax/es5`` next to
  ``mathjax_path`` inside ``_static`` (``mathjax_path`` must be local: no CDN).
- ``d2lvi_drop_assets`` removes scripts and stylesheets a page does not use.
- Search in Vietnamese ignores diacritics (``d2lvi.search_vi``).
- ``_templates/layout.html`` drops the theme's 1.5 MB Font Awesome script (the icons come
  from the theme's own web fonts) and the search scripts outside the search page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

from d2lvi.search_vi import SearchVietnamese

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "_templates"
# The two files every MathJax v3 component set starts from: the loader and the core.
MATHJAX_BASE = ("startup.js", "core.js")


def mathjax_files(load: list[str]) -> list[str]:
    """Files (or directories ending in ``/``) under ``es5/`` needed by the components ``load``."""
    files = list(MATHJAX_BASE)
    for name in load:
        if name.startswith("[tex]/"):
            files.append(f"input/tex/extensions/{name.removeprefix('[tex]/')}.js")
            continue
        files.append(f"{name}.js")
        if name.startswith("input/tex"):
            # \require and autoloaded macros fetch their extension on demand: serve them all.
            files.append("input/tex/extensions/")
        if name.startswith("output/"):
            # Each output needs its font data; CommonHTML also its web fonts.
            files.append(f"{name}/fonts/")
    return list(dict.fromkeys(files))


def keep_asset(source: str, body: str, page_html: str, rules: dict[str, str]) -> bool:
    """Whether a script/stylesheet stays: a rule drops it unless its marker is on the page."""
    for pattern, marker in rules.items():
        if pattern in source or (body and pattern in body):
            return bool(marker) and marker in page_html
    return True


def drop_scripts(html: str, *names: str) -> str:
    """Remove ``<script src=…name…>`` tags from rendered template HTML."""
    for name in names:
        html = re.sub(rf'\s*<script[^>]*\bsrc="[^"]*{re.escape(name)}[^"]*"[^>]*></script>',
                      "", html)
    return html


def _node_modules(app: Sphinx) -> Path:
    """The npm install directory, relative to the book's source directory."""
    return Path(app.srcdir) / app.config.d2lvi_node_modules


def _local_mathjax_path(config: Config) -> PurePosixPath:
    """``mathjax_path`` as a path inside ``_static``; an error if it points to the network."""
    path = config.mathjax_path
    if "://" in path or path.startswith("//"):
        raise ExtensionError(
            f"[d2lvi.assets] mathjax_path = {path!r} tải từ mạng; đặt đường dẫn trong _static "
            "(ví dụ mathjax/startup.js) để sách chạy offline"
        )
    return PurePosixPath(path)


def _register_templates(app: Sphinx, config: Config) -> None:
    """``config-inited``: our layout override and theme options."""
    config.templates_path.append(str(TEMPLATES))
    # Jupyter Book builds html_theme_options itself; ours are merged in, not substituted.
    config.html_theme_options = {**config.html_theme_options, **config.d2lvi_theme_options}


def _check_and_filters(app: Sphinx) -> None:
    """``builder-inited``: MathJax must be local and installed; templates get ``drop_scripts``."""
    if app.builder.format != "html":
        return
    _local_mathjax_path(app.config)
    es5 = _node_modules(app) / "mathjax" / "es5"
    if not (es5 / "startup.js").is_file():
        raise ExtensionError(
            f"[d2lvi.assets] thiếu {es5 / 'startup.js'}: chạy `make assets` (npm ci) trước khi "
            "dựng sách"
        )
    app.builder.templates.environment.filters["d2lvi_drop_scripts"] = drop_scripts


def _drop_unused(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: Any) -> None:
    """``html-page-context``: remove this page's scripts and stylesheets it does not use."""
    rules = app.config.d2lvi_drop_assets
    page = context.get("body", "")
    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [a for a in context[key] if keep_asset(
                str(a), getattr(a, "attributes", {}).get("body", ""), page, rules)]


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: copy the configured MathJax components into ``_static``."""
    if exception is not None or app.builder.format != "html":
        return
    es5 = _node_modules(app) / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / _local_mathjax_path(app.config).parent
    load = (app.config.mathjax3_config or {}).get("loader", {}).get("load", [])
    for name in mathjax_files(load):
        source = es5 / name
        if name.endswith("/"):
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        elif source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
        else:
            raise ExtensionError(f"[d2lvi.assets] MathJax không có thành phần {name} ({source})")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_node_modules", "node_modules", "html", [str])
    app.add_config_value("d2lvi_drop_assets", {}, "html", [dict])
    app.add_config_value("d2lvi_theme_options", {}, "html", [dict])
    app.add_search_language(SearchVietnamese)
    app.connect("config-inited", _register_templates)
    app.connect("builder-inited", _check_and_filters)
    # After every extension (MathJax, thebe…) has added its files to the page.
    app.connect("html-page-context", _drop_unused, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
