"""Sphinx extension: the theme's Font Awesome solid font cut down to the icons the book shows.

The theme ships every solid icon (156 KB of font); a page shows about fifteen. After the build
the icons in use are collected — ``fa-NAME`` classes in the written pages and in the theme's
scripts, and icon characters its stylesheets use outside Font Awesome's own class list
(admonitions, link icons…) — and fontTools writes the subset to ``_static/`` (a few KB).
``_templates/layout.html`` declares it after the theme's stylesheet, so it replaces the full
font, which is then never fetched. Every page counts, not only those written in this build, so
an incremental build keeps the icons of the pages it did not rewrite; what each page names is
remembered until the page changes (``d2lvi.site.pagememo``), so only rewritten pages are read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from d2lvi.site.pagememo import PageMemo

logger = logging.getLogger(__name__)
# Written next to the theme's files; the template names it when the extension is on.
SUBSET = "_static/d2lvi-fa-solid-900.woff2"
# Private Use Area: where Font Awesome puts its icons.
PUA = range(0xE000, 0xF900)
NAME = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
# `.fa-magnifying-glass:before` (Font Awesome 6 up to 6.4) or `.fa-x` with `--fa:"\f002"` (6.5+).
ICON_SELECTOR = re.compile(r"\.fa-([a-z0-9-]+)(?:::?before)?")
ICON_BODY = re.compile(r'^\s*(?:content|--fa)\s*:\s*"([^"]+)"\s*;?\s*$')
ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")


def _chars(css_string: str) -> set[int]:
    """The code points of a CSS string's escapes and literal characters."""
    found = {int(h, 16) for h in ESCAPE.findall(css_string)}
    found |= {ord(c) for c in ESCAPE.sub("", css_string)}
    return found


def icon_classes(css: str) -> tuple[dict[str, int], str]:
    """Font Awesome's ``fa-NAME`` -> code point rules of a stylesheet, and the rest of it."""
    icons: dict[str, int] = {}
    rest: list[str] = []
    for match in RULE.finditer(css):
        selectors = [s.strip() for s in match[1].split(",")]
        body = ICON_BODY.match(match[2])
        names = [ICON_SELECTOR.fullmatch(s) for s in selectors]
        if body and all(names) and len(chars := _chars(body[1])) == 1:
            for name in names:
                icons.setdefault(name[1], next(iter(chars)))  # type: ignore[index]
        else:
            rest.append(match[0])
    return icons, "\n".join(rest)


def css_icons(css_files: Iterable[str]) -> tuple[dict[str, int], set[int]]:
    """The stylesheets' icon classes (name -> code point) and the icon characters they use."""
    icons: dict[str, int] = {}
    keep: set[int] = set()
    for css in css_files:
        classes, rest = icon_classes(css)
        for name, codepoint in classes.items():
            icons.setdefault(name, codepoint)
        # Characters written outside the class list: the theme's own icon variables and rules.
        keep |= {c for c in _chars(rest) if c in PUA}
    return icons, keep


def icon_codepoints(css_files: Iterable[str], texts: Iterable[str],
                    analysed: tuple[dict[str, int], set[int]] | None = None) -> set[int]:
    """Code points to keep: named icons used in ``texts``, and icon characters in the CSS."""
    icons, keep = analysed if analysed is not None else css_icons(css_files)
    keep = set(keep)
    for text in texts:
        keep |= {icons[name] for name in NAME.findall(text) if name in icons}
    return keep


def subset_woff2(font: bytes, codepoints: Iterable[int]) -> bytes:
    """The font reduced to ``codepoints`` (and what they need), as WOFF2; deterministic."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    try:
        # recalcTimestamp=False: keep the source font's head.modified, or every rebuild of the
        # subset differs (fontTools stamps the save time by default).
        ttfont = TTFont(io.BytesIO(font), recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(ttfont)
        out = io.BytesIO()
        ttfont.save(out)
    except ImportError as err:  # WOFF2 needs brotli
        raise ExtensionError(f"[d2lvi.iconfont] {err}: cài bằng `make` (requirements.txt)") \
            from err
    return out.getvalue()


def _read(paths: Iterable[Path]) -> list[str]:
    """The text of each file (UTF-8; undecodable bytes do not matter here)."""
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def _icon_names(path: Path) -> list[str]:
    """The ``fa-NAME`` names a built file mentions."""
    return sorted(set(NAME.findall(path.read_text(encoding="utf-8", errors="replace"))))


def _css_icons_memo(paths: list[Path], memo_dir: Path) -> tuple[dict[str, int], set[int]]:
    """``css_icons`` of the built stylesheets, reused while none of them changed.

    Parsing the theme's 400 KB stylesheet is most of this step's cost, and a rebuild after a
    prose edit leaves every stylesheet as it was. Keyed on contents: Sphinx rewrites some
    stylesheets (templates) on every build, with new times but the same bytes.
    """
    texts = _read(paths)
    signature = [[str(p), hashlib.sha256(t.encode()).hexdigest()] for p, t in zip(paths, texts,
                                                                                  strict=True)]
    memo = memo_dir / "d2lvi-iconfont-css.json"
    if memo.is_file():
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved["signature"] == signature:
            return saved["icons"], set(saved["keep"])
    icons, keep = css_icons(texts)
    memo.write_text(json.dumps({"signature": signature, "icons": icons, "keep": sorted(keep)}),
                    encoding="utf-8")
    return icons, keep


def _subset_icons(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write the subset of the icon font the built pages use."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    source = static / app.config.d2lvi_icon_font
    if not source.is_file():
        raise ExtensionError(f"[d2lvi.iconfont] không thấy {source}: d2lvi_icon_font phải là "
                             "phông Font Awesome solid của theme, trong _static")
    # Font Awesome's own script lists every icon name: it is not loaded (layout.html).
    scripts = [p for p in sorted(static.rglob("*.js")) if "fontawesome" not in p.name]
    # The icon names of each page and script, read again only where the file changed.
    memo = PageMemo(Path(app.doctreedir) / "d2lvi-iconfont-pages.json", outdir)
    found = memo.results(sorted(outdir.rglob("*.html")) + scripts, _icon_names)
    memo.save()
    font = source.read_bytes()
    analysed = _css_icons_memo(sorted(static.rglob("*.css")), Path(app.doctreedir))
    names = sorted({name for names in found.values() for name in names})
    codepoints = sorted(icon_codepoints([], [" ".join(f"fa-{n}" for n in names)], analysed))
    # Same font, same icons: the subset written before is still right (saves ~0.1 s a build).
    key = hashlib.sha256(font).hexdigest() + " " + " ".join(f"{c:x}" for c in codepoints)
    stamp = Path(app.doctreedir) / "d2lvi-iconfont.key"
    target = outdir / SUBSET
    if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return
    target.write_bytes(subset_woff2(font, codepoints))
    stamp.write_text(key, encoding="utf-8")


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    """``html-page-context``: tell the layout to declare the subset font."""
    context["d2lvi_icon_font"] = SUBSET


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_icon_font", "vendor/fontawesome/webfonts/fa-solid-900.woff2",
                         "html", [str])
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _subset_icons)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
