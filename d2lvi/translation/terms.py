"""The glossary check per block (TR303, TR304): every glossary term of a block's English
original appears in its translation in one of the glossary's Vietnamese forms.

English terms are found with their inflections (plurals, declared forms), across spaces,
hyphens and line breaks; a term inside a longer one ("pooling" in "pooling layer") is the
longer one's, unless it also occurs on its own. Vietnamese forms match as whole syllable
sequences, case-insensitively, NFC-normalised, either tone placement (hoà / hòa). Inline code,
math, role targets and URLs are ignored on both sides. Exceptions are declared per term in
the glossary, never in code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from d2lvi.source.pairs import Pair
from d2lvi.translation.glossary import Entry, Exemption
from d2lvi.translation.inline import URL, mask, position, scan, vi_line
from d2lvi.translation.rules import Finding
from d2lvi.translation.spelling import tone_variant

SYLLABLE = re.compile(r"\w+")


@dataclass(frozen=True)
class Occurrence:
    """A glossary term found in an English original: its entry and character span."""

    entry: Entry
    start: int
    end: int
    text: str


def unmarked(text: str) -> str:
    """A block's text with roles, inline code, math and URLs blanked (offsets kept)."""
    text = scan(text).masked
    return mask(text, (m.span() for m in URL.finditer(text)))


def english_terms(english: str, glossary: Sequence[Entry]) -> list[Occurrence]:
    """The glossary terms of an English text, by position; one inside a longer one dropped."""
    lowered = english.lower()
    found = [Occurrence(entry, m.start(), m.end(), m[0])
             for entry in glossary if not entry.heading and entry.trigger in lowered
             for m in entry.pattern.finditer(english)]
    return sorted((o for o in found if not any(
        p.start <= o.start and o.end <= p.end and p.end - p.start > o.end - o.start
        for p in found)), key=lambda o: (o.start, o.entry.en))


@lru_cache(maxsize=65536)
def _syllable(word: str) -> str:
    """One spelling of a syllable whatever its tone placement (hoà and hòa give one)."""
    variant = tone_variant(word)
    return min(word, variant) if variant else word


def vietnamese_key(text: str) -> str:
    """Vietnamese text for matching: NFC, casefolded, one tone placement per syllable."""
    text = unicodedata.normalize("NFC", text).casefold()
    return SYLLABLE.sub(lambda m: _syllable(m[0]), text)


@lru_cache(maxsize=4096)
def form_pattern(form: str) -> re.Pattern[str]:
    """A Vietnamese form as a whole-syllable sequence: "tầng" is not in "tầngx" (markup such
    as the italics of "*deconvolution*" is not part of the form)."""
    syllables = SYLLABLE.findall(vietnamese_key(form))
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(map(re.escape, syllables)) + r"(?!\w)")


def has_form(vietnamese: str, forms: Sequence[str]) -> bool:
    """Whether a (keyed) Vietnamese text has one of the forms."""
    return any(form_pattern(f).search(vietnamese) for f in forms if SYLLABLE.search(f))


def _expected(entry: Entry, pair: Pair, path: str, used: set[Exemption]
              ) -> tuple[str, ...] | None:
    """The forms accepted for a term in a block (exceptions applied), None if not required."""
    forms = entry.vi
    for exemption in entry.exceptions:
        if exemption.applies(path, pair.en):
            used.add(exemption)
            if not exemption.allow:
                return None
            forms += exemption.allow
    return forms


def glossary_terms(pairs: Sequence[Pair], glossary: Sequence[Entry], path: str = ""
                   ) -> list[Finding]:
    """TR303 at each glossary term of a translated block's English its translation lacks;
    TR304 for an exception of this file that no translated block uses."""
    out: list[Finding] = []
    used: set[Exemption] = set()
    for pair in pairs:
        occurrences = english_terms(unmarked(pair.en), glossary)
        if not occurrences:
            continue
        vietnamese = vietnamese_key(unmarked(pair.vi))
        seen: set[str] = set()
        for occ in occurrences:
            if occ.entry.en in seen:
                continue  # one finding per term and block, at its first occurrence
            seen.add(occ.entry.en)
            forms = _expected(occ.entry, pair, path, used)
            if forms is None or has_form(vietnamese, forms):
                continue
            line, col = position(pair.en, occ.start, pair.en_start + 1)
            term = f"«{occ.text}»" + (f" (thuật ngữ «{occ.entry.en}»)"
                                      if occ.text.casefold() != occ.entry.en.casefold() else "")
            wanted = " / ".join(f"«{v}»" for v in forms)
            out.append(Finding(line, col, "TR303",
                               f"bản gốc có {term} nhưng bản dịch (dòng {vi_line(pair)}) "
                               f"không có {wanted} (glossary)"))
    return out + unused_exceptions(glossary, path, used)


def unused_exceptions(glossary: Sequence[Entry], path: str, used: set[Exemption]
                      ) -> list[Finding]:
    """TR304 (at the file's first line) for each exception of this file no block used."""
    out = []
    for entry in glossary:
        for exemption in entry.exceptions:
            if exemption in used or not exemption.in_file(path):
                continue
            out.append(Finding(1, 1, "TR304",
                               f"ngoại lệ của thuật ngữ «{entry.en}» trong bảng thuật ngữ "
                               f"(en: «{' '.join(exemption.en.split())}») không khớp đoạn đã "
                               "dịch nào có thuật ngữ này trong tệp: hãy sửa hoặc xoá nó"))
    return out
