"""Sphinx extension: render each Vietnamese block with its English original on demand.

Registration and thin adapters only; the source rewrite lives in ``d2lvi.site.render`` and the
d2l-to-MyST conversion in ``d2lvi.source.convert``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from d2lvi.outputs.seed import use_seeded_kernels
from d2lvi.site import docutils_vi
from d2lvi.site.render import SEPARATOR, rewrite
from d2lvi.source.convert import d2l_to_myst
from d2lvi.translation.glossary import load_glossary

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "_static"


class d2lvi_pair(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """A translated block and its English original."""


class d2lvi_en(nodes.General, nodes.Element):  # noqa: N801
    """The English original of a block."""


class d2lvi_vi(nodes.General, nodes.Element):  # noqa: N801
    """The Vietnamese translation of a block."""


class d2lvi_title(nodes.General, nodes.Element):  # noqa: N801
    """The English original of a section title."""


class PairDirective(SphinxDirective):
    """``d2lvi-pair``: English lines, the ``-->`` separator, then the translation."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """Parse both languages into one pair node."""
        lines = list(self.content)
        if SEPARATOR not in lines:
            raise self.error("[d2lvi.pair] thiếu dòng '-->' giữa bản gốc và bản dịch")
        cut = lines.index(SEPARATOR)
        english = d2l_to_myst("\n".join(lines[:cut]), self.config.d2lvi_numref_en)
        pair = d2lvi_pair()
        self.set_source_info(pair)
        vi = d2lvi_vi()
        self.state.nested_parse(self.content[cut + 1 :], self.content_offset + cut + 1, vi)
        en = d2lvi_en()
        parse_text(self, english, en, self.get_source_info()[0], self.content_offset)
        _unnumber_figures(en)
        pair += [vi, en]
        return [pair]


def parse_text(directive: SphinxDirective, text: str, node: nodes.Element, source: str,
                offset: int) -> None:
    """Parse generated MyST text into ``node``, its lines attributed to ``source``."""
    content = StringList(text.split("\n"), source=source)
    directive.state.nested_parse(content, offset, node)


def _unnumber_figures(english: nodes.Element) -> None:
    """Turn the English copy's figures into plain containers: only the translation is numbered.

    Sphinx numbers every captioned figure (AutoNumbering), so a second ``figure`` node
    would take "Hình 2" and a second id.
    """
    for figure in list(english.findall(nodes.figure)):
        box = nodes.container(classes=["figure", "d2lvi-en-figure"])
        for child in figure.children:
            if isinstance(child, nodes.caption):
                box += nodes.paragraph("", "", *child.children, classes=["caption"])
            else:
                box += child.deepcopy()
        figure.replace_self(box)


class TitleDirective(SphinxDirective):
    """``d2lvi-title``: the English original of the next section's title."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """Parse the English title's inline markup into a title node."""
        text = d2l_to_myst(" ".join(self.content).lstrip("#").strip(), self.config.d2lvi_numref_en)
        inline, messages = self.state.inline_text(text, self.lineno)
        node = d2lvi_title("", *inline)
        self.set_source_info(node)
        return [node, *messages]


class GlossaryDirective(SphinxDirective):
    """``d2lvi-glossary``: the project's glossary file as a Sphinx glossary."""

    def run(self) -> list[nodes.Node]:
        """Render every entry as a term (Vietnamese) with its English original."""
        path = Path(self.env.srcdir) / self.config.d2lvi_glossary
        self.env.note_dependency(str(path))
        terms: dict[str, list[str]] = {}
        for entry in load_glossary(path.read_text(encoding="utf-8")):
            note = f" — {entry.note}" if entry.note else ""
            terms.setdefault(entry.vi[0], []).append(f"*{entry.en}*{note}")
        lines = []
        for term, originals in terms.items():
            lines += [term, "  " + "; ".join(originals), ""]
        text = "```{glossary}\n:sorted:\n" + "\n".join(lines) + "\n```"
        container = nodes.container(classes=["d2lvi-glossary"])
        parse_text(self, text, container, str(path), 0)
        return [container]


class MoveTitles(SphinxTransform):
    """Put each English title inside the section whose Vietnamese title follows it."""

    default_priority = 200

    def apply(self, **kwargs: Any) -> None:
        """Move every title node just after the next section's title."""
        for node in list(self.document.findall(d2lvi_title)):
            # The next section in document order: a sibling, or a sibling of an ancestor
            # (MyST closes the previous subsection before opening the next).
            following = node.findall(nodes.section, include_self=False, descend=False,
                                     siblings=True, ascend=True)
            section = next(iter(following), None)
            if section is None:
                logger.warning("[d2lvi.title] không tìm thấy tiêu đề tiếng Việt sau bản gốc",
                               location=node, type="d2lvi", subtype="title")
                continue
            node.parent.remove(node)
            section.insert(1, node)


class CleanLists(SphinxTransform):
    """Drop empty bullets and join lists split only by HTML comments (contributors)."""

    default_priority = 210

    def apply(self, **kwargs: Any) -> None:
        """Remove empty list items, then merge lists separated by comments only."""
        for item in list(self.document.findall(nodes.list_item)):
            if not item.astext().strip():
                item.parent.remove(item)
        merged: set[int] = set()
        for blist in list(self.document.findall(nodes.bullet_list)):
            if id(blist) in merged:
                continue
            if not blist.children:
                blist.parent.remove(blist)
                continue
            merged |= self._absorb_following(blist)

    @staticmethod
    def _absorb_following(blist: nodes.bullet_list) -> set[int]:
        """Move items of later lists into ``blist`` while only comments stand between."""
        parent, absorbed = blist.parent, set()
        index = parent.index(blist) + 1
        while index < len(parent.children):
            nxt = parent.children[index]
            if isinstance(nxt, nodes.raw) and nxt.astext().strip().startswith("<!--"):
                index += 1
            elif isinstance(nxt, nodes.bullet_list):
                blist.extend(nxt.children)
                parent.remove(nxt)
                absorbed.add(id(nxt))
            else:
                break
        return absorbed


def rewrite_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: turn the comment convention into directives."""
    text, problems = rewrite(source[0])
    for problem in problems:
        logger.warning(f"[d2lvi.pair] {problem.message}", location=(docname, problem.line),
                       type="d2lvi", subtype="pair")
    source[0] = text


def resolve_external(app: Sphinx, env: BuildEnvironment, node: nodes.Element,
                     contnode: nodes.Element) -> nodes.reference | None:
    """``missing-reference``: link labels of the rest of d2l to the English online book."""
    target = node.get("reftarget", "")
    entry = app.config.d2lvi_external_refs.get(target)
    if entry is None:
        return _fallback(app, node, contnode, target)
    text = contnode.astext()
    if "%s" in text:
        text = text.replace("%s", str(entry["number"]))
    elif node.get("reftype") == "numref":
        text = app.config.d2lvi_external_numref_format % entry["number"]
    else:
        text = entry.get("title", target)
    ref = nodes.reference("", text, refuri=entry["url"], internal=False,
                          reftitle=entry.get("title", ""), classes=["d2lvi-external"])
    return ref


def readable_label(label: str) -> str:
    """A d2l label as words: ``sec_mlp_scratch`` → "mlp scratch"."""
    words = re.sub(r"^(?:sec|subsec|chap|fig|img|tab|eq)_", "", label)
    return re.sub(r"[_-]+", " ", words).strip() or label


def _fallback(app: Sphinx, node: nodes.Element, contnode: nodes.Element, target: str
              ) -> nodes.reference | None:
    """A label that no section of the book defines: to the online English book, when set."""
    url = app.config.d2lvi_external_fallback_url
    if not url or node.get("refdomain") not in ("std", "math") or not target:
        return None
    text = contnode.astext()
    if "%s" in text or text == target or not text.strip():
        text = app.config.d2lvi_external_fallback_text % readable_label(target)
    logger.info(f"[d2lvi.ref] {target}: không mục nào của sách định nghĩa nhãn này; liên kết tới "
                "bản tiếng Anh trực tuyến", location=node)
    return nodes.reference("", text, refuri=url.replace("{label}", target),
                           internal=False, classes=["d2lvi-external"])


# -- HTML writers -------------------------------------------------------------


def visit_pair_html(self: Any, node: nodes.Element) -> None:
    """Open a pair."""
    self.body.append('<div class="d2lvi-pair">')


def depart_div_html(self: Any, node: nodes.Element) -> None:
    """Close a pair or a Vietnamese block."""
    self.body.append("</div>")


def visit_vi_html(self: Any, node: nodes.Element) -> None:
    """Open the Vietnamese block."""
    self.body.append('<div class="d2lvi-vi" lang="vi">')


def visit_en_html(self: Any, node: nodes.Element) -> None:
    """Open the English original: a native disclosure, so it works without JavaScript."""
    label = self.builder.config.d2lvi_toggle_label
    self.body.append(f'<details class="d2lvi-en" lang="en"><summary lang="vi">{label}</summary>'
                     '<div class="d2lvi-en-body">')


def depart_en_html(self: Any, node: nodes.Element) -> None:
    """Close the English original."""
    self.body.append("</div></details>")


def visit_title_html(self: Any, node: nodes.Element) -> None:
    """Open the English original of a title."""
    label = self.builder.config.d2lvi_toggle_label
    self.body.append(f'<details class="d2lvi-en d2lvi-en-title" lang="en">'
                     f'<summary lang="vi">{label}</summary><p class="d2lvi-en-body">')


def depart_title_html(self: Any, node: nodes.Element) -> None:
    """Close the English original of a title."""
    self.body.append("</p></details>")


def visit_passthrough(self: Any, node: nodes.Element) -> None:
    """Other builders: render the content as is."""


def depart_passthrough(self: Any, node: nodes.Element) -> None:
    """Other builders: nothing to close."""


def skip(self: Any, node: nodes.Element) -> None:
    """Other builders (text, man…): the edition is Vietnamese, skip the English."""
    raise nodes.SkipNode


# -- LaTeX writers (the PDF edition; environments defined by d2lvi.site.latex) -------


def _bilingual_pdf(self: Any) -> bool:
    """Whether this LaTeX build is the bilingual edition (``make pdf EDITION=song-ngu``)."""
    return getattr(self.builder.config, "d2lvi_pdf_edition", "vi") == "song-ngu"


def visit_en_latex(self: Any, node: nodes.Element) -> None:
    """The English original after its translation (bilingual edition), else nothing."""
    if not _bilingual_pdf(self):
        raise nodes.SkipNode
    # A figure is printed once: its English copy keeps only the English caption.
    for image in list(node.findall(nodes.image)):
        box = image.parent
        if isinstance(box, nodes.container) and "d2lvi-en-figure" in box["classes"]:
            box.remove(image)
    self.body.append("\n\\begin{dlvienglish}\n")


def depart_en_latex(self: Any, node: nodes.Element) -> None:
    """Close the English original."""
    self.body.append("\n\\end{dlvienglish}\n")


def visit_title_latex(self: Any, node: nodes.Element) -> None:
    """The English title under the Vietnamese heading (bilingual edition), else nothing."""
    if not _bilingual_pdf(self):
        raise nodes.SkipNode
    self.body.append("\n\\dlvienglishtitle{")


def depart_title_latex(self: Any, node: nodes.Element) -> None:
    """Close the English title."""
    self.body.append("}\n")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_external_refs", {}, "env", [dict])
    app.add_config_value("d2lvi_external_numref_format", "mục %s", "env", [str])
    app.add_config_value("d2lvi_external_fallback_url", "", "env", [str])
    app.add_config_value("d2lvi_external_fallback_text", "«%s» (bản tiếng Anh, d2l.ai)", "env",
                         [str])
    # Read by `python -m d2lvi import` (chapter folder aliases); declared so Sphinx knows it.
    app.add_config_value("d2lvi_chapter_folders", {}, "env", [dict])
    app.add_config_value("d2lvi_numref_en", {"fig": "Fig. %s", "sec": "Section %s"}, "env", [dict])
    app.add_config_value("d2lvi_toggle_label", "Bản gốc tiếng Anh", "html", [str])
    app.add_config_value("d2lvi_glossary", "i18n/glossary.yml", "env", [str])
    docutils_vi.register()
    _add_ui_translations(app)
    app.setup_extension("d2lvi.site.gate")
    app.setup_extension("d2lvi.site.untranslated")
    app.setup_extension("d2lvi.site.cells")
    passthrough = (visit_passthrough, depart_passthrough)
    others = {b: passthrough for b in ("latex", "text", "man", "texinfo")}
    app.add_node(d2lvi_pair, html=(visit_pair_html, depart_div_html), **others)
    app.add_node(d2lvi_vi, html=(visit_vi_html, depart_div_html), **others)
    skipped = {b: (skip, None) for b in ("text", "man", "texinfo")}
    app.add_node(d2lvi_en, html=(visit_en_html, depart_en_html),
                 latex=(visit_en_latex, depart_en_latex), **skipped)
    app.add_node(d2lvi_title, html=(visit_title_html, depart_title_html),
                 latex=(visit_title_latex, depart_title_latex), **skipped)
    app.add_directive("d2lvi-pair", PairDirective)
    app.add_directive("d2lvi-title", TitleDirective)
    app.add_directive("d2lvi-glossary", GlossaryDirective)
    app.add_transform(MoveTitles)
    app.add_transform(CleanLists)
    app.connect("source-read", rewrite_source)
    app.connect("missing-reference", resolve_external)
    app.connect("builder-inited", _add_static)
    app.connect("builder-inited", _seed_kernels)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def _add_ui_translations(app: Sphinx) -> None:
    """Vietnamese for interface strings the theme and Sphinx leave in English (fallback only)."""
    if app.config.language != "vi":
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = Path(app.doctreedir).parent / "d2lvi-locale" / "vi" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(Path(__file__).parent / "locale" / "vi.po", "rb") as po:
        catalog = read_po(po, locale="vi")
    for domain in ("sphinx", "booktheme"):
        with open(target / f"{domain}.mo", "wb") as mo:
            write_mo(mo, catalog)
        app.add_message_catalog(domain, str(target.parent.parent))


def _seed_kernels(app: Sphinx) -> None:
    """Kernels started by MyST-NB get the seeding startup file (outputs stay byte-stable)."""
    use_seeded_kernels(Path(app.doctreedir).parent / "ipython")


def _add_static(app: Sphinx) -> None:
    """Ship the switch's CSS and JavaScript with every page."""
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("d2lvi-bilingual.css")
    app.add_js_file("d2lvi-bilingual.js")
