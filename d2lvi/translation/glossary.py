"""The project's glossary (i18n/glossary.yml): English terms, their Vietnamese renderings and
the declared exceptions to them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property

import yaml

# Between the words of a multi-word term: spaces, a line break or a hyphen, or nothing
# ("fully-connected layer", "fully connected layer"; "data set", "dataset").
EN_JOIN = r"[\s-]*"


@dataclass(frozen=True)
class Exemption:
    """A declared exception (``exceptions:``) to a term, for one block of one file."""

    file: str  # path of the section, as in _toc.yml (chapter_cnn/conv-layer.md)
    en: str  # a snippet of the English original of the block, whitespace-insensitive
    why: str  # the justification (required)
    allow: tuple[str, ...] = ()  # other renderings accepted there; none: term not required

    def in_file(self, path: str) -> bool:
        """Whether the exception is for this section (a path ending with ``file``)."""
        where = path.replace("\\", "/")
        return where == self.file or where.endswith("/" + self.file)

    def applies(self, path: str, english: str) -> bool:
        """Whether the exception covers a block of ``path`` with this English original."""
        return self.in_file(path) and _squeeze(self.en) in _squeeze(english)


def _squeeze(text: str) -> str:
    """Whitespace runs as one space (a snippet may be cut across the comment's lines)."""
    return " ".join(text.split())


def plurals(word: str) -> list[str]:
    """Regular English plurals (and third persons) of a word: -s, -es, -y → -ies, -ix → -ices."""
    out = [word + "s", word + "es"]
    if re.search(r"[^aeiou]y$", word):
        out.append(word[:-1] + "ies")
    if word.endswith(("ix", "ex")):
        out.append(word[:-2] + "ices")
    return out


@dataclass(frozen=True)
class Entry:
    """One glossary term."""

    en: str
    vi: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    note: str = ""
    match: str = ""  # a stem to match instead of the whole term (e.g. "transpos")
    heading: bool = False  # section-heading words, not checked in running text
    forms: tuple[str, ...] = ()  # other English forms (irregular, verb forms: "upsampling")
    exceptions: tuple[Exemption, ...] = ()

    @cached_property
    def variants(self) -> tuple[str, ...]:
        """The term, its declared forms and the plurals of its last word."""
        *head, last = re.split(r"[\s-]+", self.en)
        return (self.en, *self.forms, *(" ".join([*head, p]) for p in plurals(last)))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Where the term occurs in English: whole words, case-insensitive, the last word
        inflected (plural), words joined by spaces, a line break or a hyphen; or the stem."""
        if self.match:
            return re.compile(r"\b" + re.escape(self.match) + r"\w*", re.IGNORECASE)
        alternatives = sorted({EN_JOIN.join(re.escape(w) for w in re.split(r"[\s-]+", v))
                               for v in self.variants}, key=lambda s: (-len(s), s))
        return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)

    @cached_property
    def trigger(self) -> str:
        """Lower-case text every occurrence starts with (the common prefix of the first words
        of its variants): blocks without it are not searched, which keeps the book fast."""
        if self.match:
            return self.match.lower()
        firsts = [re.split(r"[\s-]+", v)[0].lower() for v in self.variants]
        return os.path.commonprefix(firsts)


def _strings(item: dict, key: str, where: str) -> tuple[str, ...]:
    """A list of strings of an entry (a single string is a list of one)."""
    value = item.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ValueError(f"glossary: {where}: '{key}' must be a list of strings")
    return tuple(str(v) for v in value)


def _exceptions(item: dict, where: str) -> tuple[Exemption, ...]:
    """The entry's declared exceptions; each needs a file, an English snippet and a why."""
    raw = item.get("exceptions", []) or []
    if not isinstance(raw, list):
        raise ValueError(f"glossary: {where}: 'exceptions' must be a list")
    out = []
    for k, exc in enumerate(raw, start=1):
        here = f"{where}, exception {k}"
        if not isinstance(exc, dict) or not all(
                str(exc.get(key) or "").strip() for key in ("file", "en", "why")):
            raise ValueError(f"glossary: {here} needs 'file', 'en' (a snippet of the English) "
                             "and 'why' (the justification)")
        out.append(Exemption(file=str(exc["file"]).strip(), en=str(exc["en"]),
                              why=str(exc["why"]).strip(), allow=_strings(exc, "allow", here)))
    return tuple(out)


def load_glossary(text: str) -> list[Entry]:
    """Parse the glossary YAML into entries; raises ValueError on a malformed entry."""
    data = yaml.safe_load(text) or []
    if not isinstance(data, list):
        raise ValueError("glossary: expected a list of entries")
    entries = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "en" not in item or not item.get("vi"):
            raise ValueError(f"glossary: entry {i} needs 'en' and 'vi'")
        where = f"entry {i} ({item['en']})"
        entries.append(Entry(
            en=str(item["en"]), vi=_strings(item, "vi", where),
            avoid=_strings(item, "avoid", where), note=str(item.get("note", "")),
            match=str(item.get("match", "")), heading=bool(item.get("heading", False)),
            forms=_strings(item, "forms", where), exceptions=_exceptions(item, where),
        ))
    return entries
