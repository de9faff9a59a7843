"""Vietnamese spelling with Debian's hunspell + hunspell-vi: one subprocess for all words."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterable

# Combining tone marks (NFD): grave, acute, tilde, hook above, dot below.
TONES = "\u0300\u0301\u0303\u0309\u0323"
# Open syllables ending in these vowel pairs have two accepted tone placements:
# the older "hòa, thủy, khỏe" and the newer "hoà, thuỷ, khoẻ"; the dictionary knows one.
GLIDES = ("oa", "oe", "uy")


class SpellcheckerMissingError(RuntimeError):
    """hunspell or its Vietnamese dictionary is not installed."""


def tone_variant(word: str) -> str | None:
    """The same syllable with the tone on the other vowel of a final oa/oe/uy, if any."""
    letters = list(unicodedata.normalize("NFD", word))
    bases = [(k, c) for k, c in enumerate(letters) if not unicodedata.combining(c)]
    if len(bases) < 2:
        return None
    (k1, v1), (k2, v2) = bases[-2], bases[-1]
    if (v1 + v2).lower() not in GLIDES or (len(bases) > 2 and bases[-3][1].lower() == "q"):
        return None
    first = [m for m in letters[k1 + 1 : k2] if m in TONES]
    second = [m for m in letters[k2 + 1 :] if m in TONES]
    if bool(first) == bool(second):
        return None
    if first:  # move the tone from the first vowel to the second
        moved = [c for c in letters[: k2] if c not in first] + letters[k2:] + first
    else:
        moved = letters[: k1 + 1] + second + [c for c in letters[k1 + 1 :] if c not in second]
    return unicodedata.normalize("NFC", "".join(moved))


def unknown_words(words: Iterable[str], dictionary: str = "vi_VN") -> set[str]:
    """The words hunspell does not know (in either tone placement); one hunspell call."""
    words = sorted({unicodedata.normalize("NFC", w) for w in words})
    if not words:
        return set()
    if shutil.which("hunspell") is None:
        raise SpellcheckerMissingError("không tìm thấy chương trình hunspell")
    queries = set(words) | {v for w in words if (v := tone_variant(w))}
    try:
        result = subprocess.run(
            ["hunspell", "-i", "utf-8", "-d", dictionary, "-l"],
            input="\n".join(sorted(queries)) + "\n", capture_output=True, text=True,
            encoding="utf-8", timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise SpellcheckerMissingError(f"không chạy được hunspell: {err}") from err
    if result.returncode != 0:
        raise SpellcheckerMissingError(f"hunspell không có từ điển {dictionary}: "
                                  + result.stderr.strip().split("\n")[0])
    bad = set(result.stdout.split())
    return {w for w in words if w in bad and (tone_variant(w) or w) in bad}


def load_wordlist(text: str) -> frozenset[str]:
    """The project word list: one word a line, ``#`` comments; matched case-insensitively."""
    words = (line.split("#", 1)[0].strip() for line in text.split("\n"))
    return frozenset(unicodedata.normalize("NFC", w).casefold() for w in words if w)
