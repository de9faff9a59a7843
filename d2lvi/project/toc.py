"""The book's table of contents (``_toc.yml``, Jupyter Book's jb-book format) as data.

Sections live in chapter folders (``chapter_cnn/pooling``). A folder's ``index`` is its
chapter's root, with the folder's other sections under it; until a folder has an index,
its sections are chapters of their own. Content chapters are numbered (so ``{numref}`` can
name a section, as d2l's "Section 7.2" does); the glossary and references are not.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

CONTENT = "Nội dung"
APPENDIX = "Phụ lục"


def _folder(docname: str) -> str:
    """The chapter folder of a docname ("" at the book's top)."""
    return docname.rsplit("/", 1)[0] if "/" in docname else ""


def with_parts(toc: dict[str, Any]) -> dict[str, Any]:
    """A jb-book toc whose top-level chapters are split into a numbered content part (chapter
    folders) and an unnumbered appendix (the rest)."""
    toc = copy.deepcopy(toc)
    if "parts" in toc:
        return toc
    chapters = toc.pop("chapters", []) or []
    content = [c for c in chapters if _folder(str(c.get("file", "")))]
    rest = [c for c in chapters if not _folder(str(c.get("file", "")))]
    toc["parts"] = [{"caption": CONTENT, "numbered": True, "chapters": content}]
    if rest:
        toc["parts"].append({"caption": APPENDIX, "chapters": rest})
    return toc


def _all_files(entries: list[dict[str, Any]]) -> set[str]:
    """Every file under a list of toc entries."""
    out = set()
    for entry in entries:
        out.add(str(entry.get("file", "")))
        out |= _all_files(entry.get("sections", []) or [])
    return out


def add_section(toc: dict[str, Any], docname: str) -> dict[str, Any]:
    """The toc with ``docname`` in its chapter (unchanged when it is there already)."""
    toc = with_parts(toc)
    content = toc["parts"][0].setdefault("chapters", [])
    if docname in _all_files([e for p in toc["parts"] for e in p.get("chapters", []) or []]):
        return toc
    folder = _folder(docname)
    mine = [k for k, e in enumerate(content) if _folder(str(e.get("file", ""))) == folder]
    root = next((content[k] for k in mine if str(content[k]["file"]).endswith("/index")), None)
    if docname.endswith("/index"):
        sections = [content[k] for k in mine]
        entry: dict[str, Any] = {"file": docname}
        if sections:
            entry["sections"] = sections
        for k in reversed(mine):
            del content[k]
        content.insert(mine[0] if mine else len(content), entry)
    elif root is not None:
        root.setdefault("sections", []).append({"file": docname})
    else:
        content.insert(mine[-1] + 1 if mine else len(content), {"file": docname})
    return toc


def dump(toc: dict[str, Any]) -> str:
    """The toc as ``_toc.yml`` text (keys in Jupyter Book's usual order)."""
    return yaml.safe_dump(toc, sort_keys=False, allow_unicode=True, default_flow_style=False)
