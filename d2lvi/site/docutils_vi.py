"""Vietnamese for docutils' generated labels (docutils ships no ``vi`` language module).

Without it, ``language = "vi"`` makes docutils warn and write "Note", "Warning",
"Contents"… in English on a Vietnamese page.
"""

from __future__ import annotations

import sys
from types import ModuleType

LABELS = {
    "author": "Tác giả", "authors": "Các tác giả", "organization": "Tổ chức",
    "address": "Địa chỉ", "contact": "Liên hệ", "version": "Phiên bản",
    "revision": "Bản sửa", "status": "Trạng thái", "date": "Ngày",
    "copyright": "Bản quyền", "dedication": "Lời đề tặng", "abstract": "Tóm lược",
    "attention": "Chú ý!", "caution": "Thận trọng!", "danger": "NGUY HIỂM!",
    "error": "Lỗi", "hint": "Gợi ý", "important": "Quan trọng", "note": "Ghi chú",
    "tip": "Mẹo", "warning": "Cảnh báo", "contents": "Mục lục",
}


def language_module() -> ModuleType:
    """A docutils language module for Vietnamese (labels translated, field names mapped)."""
    module = ModuleType("docutils.languages.vi")
    module.labels = LABELS
    module.bibliographic_fields = {label.lower(): key for key, label in LABELS.items()}
    module.author_separators = [";", ","]
    return module


def parser_module() -> ModuleType:
    """The reST parser's Vietnamese module: directive and role names stay English."""
    from docutils.parsers.rst.languages import en

    module = ModuleType("docutils.parsers.rst.languages.vi")
    module.directives = dict(en.directives)
    module.roles = dict(en.roles)
    return module


def register() -> None:
    """Make docutils find the Vietnamese modules where its importers look: ``sys.modules``.

    (Sphinx wraps the reST importer in a plain function, so its cache is not reachable.)
    """
    sys.modules.setdefault("docutils.languages.vi", language_module())
    sys.modules.setdefault("docutils.parsers.rst.languages.vi", parser_module())
