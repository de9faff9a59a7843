"""Convert d2l's Markdown dialect (d2lbook) to MyST, for rendering the English originals."""

from __future__ import annotations

import re

ROLE = re.compile(r":(numref|cite|eqref|ref):`([^`]+)`")
LABEL_LINE = re.compile(r"^:label:`[^`]+`\s*$", re.MULTILINE)
FIGURE_LINE = re.compile(r"^!\[(?P<caption>.*)\]\((?P<src>[^)\s]+)\)\s*$")

# How an English numbered reference reads, by the label's prefix (d2l's convention).
DEFAULT_NUMREF_EN = {"fig": "Fig. %s", "sec": "Section %s", "tab": "Table %s", "chap": "Chapter %s"}


def _role(match: re.Match[str], numref_en: dict[str, str]) -> str:
    """Rewrite one d2l role as a MyST role."""
    role, target = match.groups()
    if role == "cite":
        return "{cite:p}`" + target + "`"
    if role == "eqref":
        return "{eq}`" + target + "`"
    if role == "numref":
        prefix = target.split("_", 1)[0]
        if prefix in numref_en:
            return "{numref}`" + numref_en[prefix] + " <" + target + ">`"
        return "{numref}`" + target + "`"
    return "{ref}`" + target + "`"


def d2l_to_myst(text: str, numref_en: dict[str, str] | None = None) -> str:
    """Return d2l Markdown as MyST: roles rewritten, labels dropped, figures as directives."""
    formats = DEFAULT_NUMREF_EN if numref_en is None else numref_en
    text = ROLE.sub(lambda m: _role(m, formats), text)
    # Labels belong to the Vietnamese blocks; the English copy must not define them twice.
    text = LABEL_LINE.sub("", text)
    lines = []
    for line in text.split("\n"):
        if m := FIGURE_LINE.match(line):
            lines += [f":::{{figure}} {m['src']}", m["caption"], ":::"]
        else:
            lines.append(line)
    return "\n".join(lines).strip("\n")
