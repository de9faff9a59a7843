"""Sphinx extension: an offline, light page — unused assets dropped.

- Math is typeset at build time (``d2lvi.site.mathrender``): pages load no MathJax script.
- The theme's solid icon font is cut down to the icons the book shows (``d2lvi.site.iconfont``).
- ``d2lvi_drop_assets`` removes scripts and stylesheets a page does not use.
- Search in Vietnamese ignores diacritics (``d2lvi.site.search_vi``).
- ``_templates/layout.html`` drops the theme's 1.5 MB Font Awesome script (the icons come
  from the theme's own web fonts) and the search scripts outside the search page; it draws
  the repository button's GitHub mark from an inline SVG, so the theme's 118 KB brand font
  is never fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from d2lvi.site.search_vi import SearchVietnamese

TEMPLATES = Path(__file__).parent / "_templates"


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


def _register_templates(app: Sphinx, config: Config) -> None:
    """``config-inited``: our layout override and theme options."""
    # First in line: the themes add their own component folders to templates_path, and our
    # overrides (Vietnamese labels of hard-coded English components) must win over them.
    config.templates_path.insert(0, str(TEMPLATES))
    # Jupyter Book builds html_theme_options itself; ours are merged in, not substituted.
    config.html_theme_options = {**config.html_theme_options, **config.d2lvi_theme_options}


def _add_filters(app: Sphinx) -> None:
    """``builder-inited``: templates get ``drop_scripts``."""
    if app.builder.format != "html":
        return
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


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_drop_assets", {}, "html", [dict])
    app.add_config_value("d2lvi_theme_options", {}, "html", [dict])
    app.add_search_language(SearchVietnamese)
    app.connect("config-inited", _register_templates)
    app.connect("builder-inited", _add_filters)
    # After every extension (thebe, copybutton…) has added its files to the page.
    app.connect("html-page-context", _drop_unused, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
