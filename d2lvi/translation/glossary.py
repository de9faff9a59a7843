"""The project's glossary (i18n/glossary.yml): English terms and their Vietnamese renderings."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Entry:
    """One glossary term."""

    en: str
    vi: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    note: str = ""
    match: str = ""  # a stem to match instead of the whole term (e.g. "transpos")
    heading: bool = False  # section-heading words, not checked in running text

    @property
    def pattern(self) -> re.Pattern[str]:
        """Where the term occurs in English: whole words, case-insensitive, plural allowed."""
        if self.match:
            return re.compile(r"\b" + re.escape(self.match), re.IGNORECASE)
        words = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", self.en))
        return re.compile(r"\b" + words + r"(?:s|es)?\b", re.IGNORECASE)


def load_glossary(text: str) -> list[Entry]:
    """Parse the glossary YAML into entries; raises ValueError on a malformed entry."""
    data = yaml.safe_load(text) or []
    if not isinstance(data, list):
        raise ValueError("glossary: expected a list of entries")
    entries = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "en" not in item or not item.get("vi"):
            raise ValueError(f"glossary: entry {i} needs 'en' and 'vi'")
        entries.append(Entry(
            en=str(item["en"]), vi=tuple(str(v) for v in item["vi"]),
            avoid=tuple(str(v) for v in item.get("avoid", [])), note=str(item.get("note", "")),
            match=str(item.get("match", "")), heading=bool(item.get("heading", False)),
        ))
    return entries
