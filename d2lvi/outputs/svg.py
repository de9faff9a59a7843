"""An SVG figure as canonical text lines: what is drawn, not how the file spells it.

One line per drawn element (path, marker use, text, image, shape), indented by the groups
that carry a transform, style or clip. What is not content is left out: element ids (a
reference such as a marker or a clip path is replaced by what it points to), the metadata
(date, creator), and the font embedding — matplotlib draws text as glyph outlines defined
once and reused, so a text is kept as its string (matplotlib's comment before the glyphs),
position and colour. Numbers stay as written; the comparison applies the tolerance.

Two runs of the same plot give the same lines; a changed curve, colour, label or axis limit
changes at least one.
"""

from __future__ import annotations

import hashlib
import re
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.ElementTree import DefusedXMLParser, ParseError

XLINK = "{http://www.w3.org/1999/xlink}href"
# Elements drawn only where something refers to them.
REFERENCED = {"defs", "clipPath", "mask", "marker", "pattern", "symbol", "linearGradient",
              "radialGradient", "filter"}
SKIPPED = {"metadata", "title", "desc"}
LONG = {"d", "points", "clip-path", "mask", "filter"}  # attributes written last
URL = re.compile(r"url\(#([^)]+)\)")
ROLE = re.compile(r"^([A-Za-z][\w.]*?)_\d+$")  # matplotlib's group ids: line2d_3, text_12
UNIT = re.compile(r"^(-?[\d.]+(?:[eE][-+]?\d+)?)(pt|px|in|cm|mm|%)$")


class SvgError(ValueError):
    """Not a readable SVG document."""


def _local(tag: object) -> str:
    """An element's tag without its XML namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _digest(data: str) -> str:
    """A short digest of inline data (an embedded raster image)."""
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()[:16]


class _Canon:
    """Walks one parsed SVG and writes its canonical lines."""

    def __init__(self, ids: dict[str, Element], resolving: set[str]) -> None:
        self.ids = ids
        self.resolving = resolving  # references being resolved: a cycle ends as [?]
        self.lines: list[str] = []

    def ref(self, target: str) -> str:
        """What a reference (#id) points to, inline; a dangling one is kept as such."""
        if target.startswith("data:"):
            return target.split(",", 1)[0] + " " + _digest(target)
        name = target.removeprefix("#")
        element = self.ids.get(name)
        if element is None or name in self.resolving:
            return "[?]"
        self.resolving.add(name)
        try:
            inner = _Canon(self.ids, self.resolving)
            inner.element(element, 0, "", inline=True)
            return "[" + " ; ".join(line.strip() for line in inner.lines) + "]"
        finally:
            self.resolving.discard(name)

    def value(self, value: str) -> str:
        """One attribute value: references resolved, whitespace and units normalised."""
        value = URL.sub(lambda m: self.ref("#" + m[1]), " ".join(value.split()))
        if m := UNIT.match(value):
            return f"{m[1]} {m[2]}"
        return value

    def attributes(self, element: Element) -> str:
        """An element's attributes: style properties, then the others, the long ones last.

        (Colours and sizes first, so that a line cut for the terminal still shows them.)
        """
        style, short, long = [], [], []
        for key in sorted(element.attrib):
            value = element.attrib[key]
            if key == "id":
                continue
            if key in (XLINK, "href"):
                long.append(f"href={self.ref(value)}")
            elif key == "style":
                props = (p.split(":", 1) for p in value.split(";") if ":" in p)
                style += sorted(f"{k.strip()}:{self.value(v.strip())}" for k, v in props)
            else:
                name = _local(key)
                (long if name in LONG else short).append(f"{name}={self.value(value)}")
        return " ".join(style + short + long)

    def element(self, element: Element, depth: int, role: str, inline: bool = False) -> None:
        """Write one element (and what it contains) at an indentation depth."""
        tag = _local(element.tag)
        if not tag or tag in SKIPPED or (tag in REFERENCED and not inline):
            if tag == "defs":  # a stylesheet inside defs applies to the whole drawing
                for style in (c for c in element if _local(c.tag) == "style"):
                    self.element(style, depth, role)
            return
        if m := ROLE.match(element.get("id", "")):
            role = m[1]
        pad = "  " * depth
        if tag == "style":
            self.lines.append(f"{pad}style {' '.join((element.text or '').split())}")
            return
        if tag == "g" and role == "text" and (label := self._glyph_label(element)) is not None:
            self.lines.append(f"{pad}text {label!r} {self._glyph_placement(element)}".rstrip())
            return
        attrs = self.attributes(element)
        text = " ".join((element.text or "").split())
        if tag == "g" and not inline:
            if attrs:
                self.lines.append(f"{pad}g {attrs}")
                depth += 1
        else:
            word = f"{role} {tag}" if role else tag
            self.lines.append(f"{pad}{word} {attrs}{f' {text!r}' if text else ''}".rstrip())
            depth += 1
        for child in element:
            if isinstance(child.tag, str):
                self.element(child, depth, role, inline)

    @staticmethod
    def _glyph_label(group: Element) -> str | None:
        """The string of a text drawn as glyphs: matplotlib's comment before them."""
        for child in group:
            if not isinstance(child.tag, str):  # a comment
                return " ".join((child.text or "").split())
        return None

    def _glyph_placement(self, group: Element) -> str:
        """Where and how a glyph text is drawn: the attributes of its groups, not its glyphs."""
        parts = [self.attributes(group)]
        parts += [self.attributes(c) for c in group if _local(c.tag) == "g"]
        return " ".join(p for p in parts if p)


def canonical(svg: str | bytes) -> list[str]:
    """The canonical lines of an SVG document; ``SvgError`` when it is not one."""
    builder = TreeBuilder(insert_comments=True)
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    try:
        parser.feed(svg)
        root = parser.close()
    except (ParseError, ValueError) as err:  # defusedxml's refusals are ValueErrors
        raise SvgError(f"không đọc được SVG: {err} (not readable SVG)") from None
    if not isinstance(root, Element) or _local(root.tag) != "svg":
        raise SvgError("không phải tệp SVG: phần tử gốc không là <svg> (no <svg> root)")
    canon = _Canon({e.get("id", ""): e for e in root.iter() if e.get("id")}, set())
    canon.lines.append(f"svg {canon.attributes(root)}".rstrip())
    for child in root:
        if isinstance(child.tag, str):
            canon.element(child, 1, "")
    return canon.lines
