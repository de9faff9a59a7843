"""Sphinx extension: blocks still waiting for their translation, shown in English, marked.

A freshly imported section is readable at once: each untranslated block renders its English
original in place with a "chưa dịch" (not yet translated) mark, and keeps the labels that
its Vietnamese placeholder defines (a figure stays numbered and referable). Set up by
``d2lvi.site.bilingual``.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from d2lvi.site.bilingual import d2lvi_title, parse_text
from d2lvi.site.render import SEPARATOR
from d2lvi.source.convert import d2l_to_myst

NAME_OPTION = re.compile(r"^:name:\s*(\S+)\s*$")


class d2lvi_untranslated(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """An English original shown in place of its missing translation."""


class d2lvi_untranslated_title(d2lvi_title):  # noqa: N801
    """The "chưa dịch" mark of a section whose title is not translated yet."""


class UntranslatedDirective(SphinxDirective):
    """``d2lvi-untranslated``: English lines, then (after ``-->``) the placeholder block."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """Parse the English in place; give it the names the placeholder defines."""
        lines = list(self.content)
        cut = lines.index(SEPARATOR) if SEPARATOR in lines else len(lines)
        english = d2l_to_myst("\n".join(lines[:cut]), self.config.d2lvi_numref_en)
        names = [m[1] for line in lines[cut + 1 :] if (m := NAME_OPTION.match(line.strip()))]
        node = d2lvi_untranslated()
        self.set_source_info(node)
        parse_text(self, english, node, self.get_source_info()[0], self.content_offset)
        for figure, name in zip(node.findall(nodes.figure), names, strict=False):
            figure["names"].append(name)
            self.state.document.note_explicit_target(figure, figure)
        return [node]


class UntranslatedTitleDirective(SphinxDirective):
    """``d2lvi-untranslated-title``: the mark under a title shown in English."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        """One mark node; MoveTitles puts it inside its section."""
        node = d2lvi_untranslated_title()
        self.set_source_info(node)
        return [node]


def visit_block_html(self: Any, node: nodes.Element) -> None:
    """Open the English block with its mark."""
    label = self.builder.config.d2lvi_untranslated_label
    self.body.append(f'<div class="d2lvi-untranslated" lang="en">'
                     f'<p class="d2lvi-untranslated-mark" lang="vi">{label}</p>')


def depart_block_html(self: Any, node: nodes.Element) -> None:
    """Close the English block."""
    self.body.append("</div>")


def visit_title_html(self: Any, node: nodes.Element) -> None:
    """The mark of an untranslated title."""
    label = self.builder.config.d2lvi_untranslated_label
    self.body.append(f'<p class="d2lvi-untranslated-mark d2lvi-untranslated-title" lang="vi">'
                     f'{label}</p>')
    raise nodes.SkipNode


def visit_passthrough(self: Any, node: nodes.Element) -> None:
    """Other builders: the English as it is."""


def depart_passthrough(self: Any, node: nodes.Element) -> None:
    """Other builders: nothing to close."""


def skip(self: Any, node: nodes.Element) -> None:
    """Other builders: no mark."""
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the nodes and directives."""
    app.add_config_value("d2lvi_untranslated_label", "Chưa dịch (bản gốc tiếng Anh)", "html",
                         [str])
    passthrough = (visit_passthrough, depart_passthrough)
    builders = ("latex", "text", "man", "texinfo")
    app.add_node(d2lvi_untranslated, html=(visit_block_html, depart_block_html),
                 **{b: passthrough for b in builders})
    app.add_node(d2lvi_untranslated_title, html=(visit_title_html, None),
                 **{b: (skip, None) for b in builders})
    app.add_directive("d2lvi-untranslated", UntranslatedDirective)
    app.add_directive("d2lvi-untranslated-title", UntranslatedTitleDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
