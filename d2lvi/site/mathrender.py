"""Sphinx extension: math typeset at build time, so pages ship no MathJax JavaScript.

Pages are written with Sphinx's MathJax markup (``<span class="math …">\\(…\\)</span>`` and
``<div class="math …">\\[…\\]</div>``, renderer ``d2lvi``: same markup, no MathJax script).
At ``build-finished`` every written page that still holds such TeX goes, in one batch, to one
Node process (``node/render-math.js``, the pinned ``mathjax`` npm package): each formula
becomes static CommonHTML with hidden MathML for screen readers, and the page gets a
``<style>`` with the rules of only the characters it uses. The MathJax web fonts are copied
to ``_static/mathjax-fonts``; the browser fetches only those a page needs.

Rendered pages hold no raw TeX, so a rebuild that rewrites no page with math starts no Node
process; a page with a TeX error keeps its TeX (and fails every build until it is fixed).
Only pages written since the last build are read again (``d2lvi.site.pagememo``): a
one-page edit costs the same in a book of any size.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from d2lvi.site.pagememo import PageMemo

logger = logging.getLogger(__name__)
RENDERER = "d2lvi"
SCRIPT = Path(__file__).parent / "node" / "render-math.js"
# Where the fonts go in the built book, and the placeholder the Node side writes instead
# (each page then gets the URL relative to itself).
FONTS_DIR = "_static/mathjax-fonts"
FONTS_SOURCE = PurePosixPath("mathjax/es5/output/chtml/fonts/woff-v2")
FONT_URL_PLACEHOLDER = "@D2LVI_MATH_FONTS@"
STYLE_ID = "d2lvi-math"
# In the browser MathJax scales math so that its x-height (0.442 em in its TeX fonts) matches
# the text's ("matchFontHeight"); at build time the text font is unknown, so CSS does it: in a
# font-size, 1ex is the surrounding text's x-height.
MATCH_TEXT_HEIGHT = 'mjx-container[jax="CHTML"]{font-size:calc(1ex / 0.442)}'
# Sphinx's MathJax markup (sphinx.ext.mathjax, myst_parser's amsmath variant) with the default
# delimiters: a fixed format, matched as written; no other HTML is parsed or re-serialised.
MARKER = "math notranslate nohighlight"
CLASS = r'class="(?:[^"]* )?math notranslate nohighlight(?: [^"]*)?"'
INLINE = re.compile(
    rf"(?P<open><span {CLASS}[^>]*>)"
    r"\\\((?P<tex>.*?)\\\)(?P<close></span>)", re.S)
DISPLAY = re.compile(
    rf"(?P<open><div {CLASS}[^>]*>\s*"
    r'(?:<span class="eqno">.*?</span>)?\s*)'
    r"(?P<tex>[^<\s].*?)(?P<close>\s*</div>)", re.S)  # TeX is escaped: never starts with <


@dataclass(frozen=True)
class Formula:
    """One formula of a page: its TeX, display or inline, and where its source text lies."""

    tex: str
    display: bool
    start: int
    end: int


@dataclass(frozen=True)
class Typeset:
    """What Node made of one page: markup per formula, the page's stylesheet, TeX errors."""

    html: tuple[str, ...]
    css: str
    errors: tuple[tuple[int, str], ...]


def find_formulas(page: str) -> list[Formula]:
    """The formulas of a page still in TeX, in page order (typeset ones are not found)."""
    if MARKER not in page:
        return []
    found = [Formula(html.unescape(m["tex"]), False, m.start("tex") - 2, m.end("tex") + 2)
             for m in INLINE.finditer(page)]
    for m in DISPLAY.finditer(page):
        tex = m["tex"]
        if tex.startswith("\\[") and tex.endswith("\\]"):
            tex = tex[2:-2]  # else: a `nowrap` block, TeX without delimiters
        found.append(Formula(html.unescape(tex).strip(), True, m.start("tex"), m.end("tex")))
    return sorted(found, key=lambda f: f.start)


def minify_css(css: str) -> str:
    """MathJax's stylesheet without its line breaks and indentation (none is inside a value)."""
    return re.sub(r"\n\s*", "", css)


def font_url(page: PurePosixPath) -> str:
    """The URL of the fonts directory relative to a page (both relative to the output dir)."""
    return posixpath.relpath(FONTS_DIR, str(page.parent) or ".")


def typeset_page(page: str, formulas: list[Formula], result: Typeset, fonts: str) -> str:
    """The page with each formula replaced by its markup and its stylesheet in ``<head>``."""
    if len(formulas) != len(result.html):
        raise ValueError(f"{len(formulas)} formulas but {len(result.html)} results")
    parts, last = [], 0
    for formula, markup in zip(formulas, result.html, strict=True):
        parts += [page[last:formula.start], markup]
        last = formula.end
    parts.append(page[last:])
    out = "".join(parts)
    css = minify_css(result.css).replace(FONT_URL_PLACEHOLDER, fonts)
    style = f'<style id="{STYLE_ID}">{css}{MATCH_TEXT_HEIGHT}</style>\n'
    head_end = out.find("</head>")
    if head_end < 0:
        raise ValueError("page has no </head>")
    return out[:head_end] + style + out[head_end:]


def run_node(pages: list[list[Formula]], node_modules: Path, node: str = "node") -> list[Typeset]:
    """Typeset every page's formulas in one Node process."""
    request = {"fontURL": FONT_URL_PLACEHOLDER,
               "pages": [[{"tex": f.tex, "display": f.display} for f in page] for page in pages]}
    try:
        done = subprocess.run([node, str(SCRIPT), str(node_modules)], input=json.dumps(request),
                              capture_output=True, text=True, encoding="utf-8", check=False)
    except FileNotFoundError as err:
        raise ExtensionError(f"[d2lvi.mathrender] không chạy được `{node}`: cài Node.js "
                             "(make assets) để dựng công thức") from err
    if done.returncode != 0:
        raise ExtensionError(f"[d2lvi.mathrender] MathJax (Node) thất bại:\n"
                             f"{done.stderr.strip()[-2000:]}")
    return [Typeset(tuple(p["html"]), p["css"], tuple((i, m) for i, m in p["errors"]))
            for p in json.loads(done.stdout)["pages"]]


def _node_modules(app: Sphinx) -> Path:
    """The npm install directory, relative to the book's source directory."""
    return Path(app.srcdir) / app.config.d2lvi_node_modules


def _check_mathjax(app: Sphinx) -> None:
    """``builder-inited``: the pinned MathJax package must be installed for HTML builds."""
    if app.builder.format != "html":
        return
    fonts = _node_modules(app) / FONTS_SOURCE
    if not fonts.is_dir():
        raise ExtensionError(f"[d2lvi.mathrender] thiếu {fonts}: chạy `make assets` (npm ci) "
                             "trước khi dựng sách")


def _mathjax_markup(kind: str) -> Callable[[Any, nodes.Element], None]:
    """A visitor writing the markup of the registered ``mathjax`` renderer (no script added)."""
    def visit(self: Any, node: nodes.Element) -> None:
        """Write the math as MathJax markup; it is typeset after the build."""
        registry = self.builder.app.registry
        renderers = (registry.html_inline_math_renderers if kind == "inline"
                     else registry.html_block_math_renderers)
        # Looked up at write time: myst-parser replaces the block one for amsmath.
        renderers["mathjax"][0](self, node)
    return visit


def _copy_fonts(app: Sphinx) -> None:
    """Copy the MathJax web fonts into ``_static`` (only those missing or changed)."""
    source = _node_modules(app) / FONTS_SOURCE
    target = Path(app.outdir) / FONTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for font in sorted(source.iterdir()):
        copy = target / font.name
        stat = font.stat()
        if not copy.exists() or (copy.stat().st_size, copy.stat().st_mtime_ns) != (
                stat.st_size, stat.st_mtime_ns):
            shutil.copy2(font, copy)


def cache_key(formulas: list[Formula], engine: str) -> str:
    """A page's typesetting key: its formulas in order and the engine that typesets them."""
    request = [[f.tex, f.display] for f in formulas]
    return hashlib.sha256(json.dumps([engine, request]).encode()).hexdigest()


def _engine(app: Sphinx) -> str:
    """What the typesetting depends on besides the TeX: our script and MathJax's version."""
    package = _node_modules(app) / "mathjax" / "package.json"
    version = json.loads(package.read_text(encoding="utf-8"))["version"] if package.exists() else ""
    return hashlib.sha256(SCRIPT.read_bytes() + version.encode()).hexdigest()


def _cached_run_node(app: Sphinx, pages: list[list[Formula]]) -> list[Typeset]:
    """Typeset pages, reusing earlier results for pages whose formulas did not change.

    A prose edit rewrites the page with the same formulas: Node (~0.25 s) is not started.
    """
    cache = Path(app.doctreedir).parent / "d2lvi-math-cache"
    cache.mkdir(parents=True, exist_ok=True)
    engine = _engine(app)
    keys = [cache_key(formulas, engine) for formulas in pages]
    results: dict[str, Typeset] = {}
    for key in keys:
        entry = cache / f"{key}.json"
        if entry.exists():
            data = json.loads(entry.read_text(encoding="utf-8"))
            results[key] = Typeset(tuple(data["html"]), data["css"], ())
    missing = [(key, formulas) for key, formulas in zip(keys, pages, strict=True)
               if key not in results]
    if missing:
        made = run_node([formulas for _, formulas in missing], _node_modules(app))
        for (key, _), typeset in zip(missing, made, strict=True):
            results[key] = typeset
            if not typeset.errors:  # a page with TeX errors must fail again next time
                entry = {"html": list(typeset.html), "css": typeset.css}
                (cache / f"{key}.json").write_text(json.dumps(entry), encoding="utf-8")
    return [results[key] for key in keys]


def _typeset_pages(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: typeset the math of the pages written with TeX in them."""
    if exception is not None or app.builder.format != "html":
        return
    started = time.perf_counter()
    _copy_fonts(app)
    outdir = Path(app.outdir)
    encoding = app.config.html_output_encoding
    # Pages still holding TeX: those written since the last look, and those a TeX error
    # left as they were (the memo remembers they hold TeX, so they fail again).
    memo = PageMemo(Path(app.doctreedir) / "d2lvi-math-pages.json", outdir)
    holds_tex = memo.results(sorted(outdir.rglob("*.html")),
                             lambda path: bool(find_formulas(path.read_bytes().decode(encoding))))
    pending = []
    for path in (path for path, tex in holds_tex.items() if tex):
        page = path.read_bytes().decode(encoding)
        pending.append((path, page, find_formulas(page)))
    if not pending:
        memo.save()
        return
    results = _cached_run_node(app, [formulas for _, _, formulas in pending])
    for (path, page, formulas), result in zip(pending, results, strict=True):
        rel = PurePosixPath(path.relative_to(outdir).as_posix())
        if result.errors:
            for index, message in result.errors:
                logger.warning("[d2lvi.mathrender] %s: công thức TeX lỗi %r: %s", rel,
                               formulas[index].tex, message, type="d2lvi", subtype="math")
            app.statuscode = 1
            continue
        text = typeset_page(page, formulas, result, font_url(rel))
        partial = path.with_name(path.name + ".tmp")
        partial.write_bytes(text.encode(encoding))
        os.replace(partial, path)
        memo.update(path, False)
    memo.save()
    count = sum(len(formulas) for _, _, formulas in pending)
    logger.info("[d2lvi.mathrender] %d công thức trên %d trang (%.2f s)", count, len(pending),
                time.perf_counter() - started)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``d2lvi`` math renderer and the build-time typesetting."""
    app.add_config_value("d2lvi_node_modules", "node_modules", "html", [str])
    app.add_html_math_renderer(RENDERER, (_mathjax_markup("inline"), None),
                               (_mathjax_markup("block"), None))
    app.connect("builder-inited", _check_mathjax)
    app.connect("build-finished", _typeset_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
