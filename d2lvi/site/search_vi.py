"""Vietnamese full-text search for Sphinx: words indexed and queried without their diacritics.

Sphinx has no Vietnamese search language and falls back to English (Porter stemming, English
stop words), so a query typed without diacritics ("tich chap") found nothing. Here the index
and the query fold diacritics the same way (Python at build time, JavaScript in the browser):
"tích chập", "tich chap" and "TÍCH CHẬP" are the same words. No stemming, no stop words.
"""

from __future__ import annotations

import re
import unicodedata

from sphinx.search import SearchLanguage

# Combining diacritical marks after NFD decomposition; đ has no decomposition.
_MARKS = re.compile("[\u0300-\u036f]")


def fold(word: str) -> str:
    """Lower-case ``word`` and strip its Vietnamese diacritics (đ becomes d)."""
    return _MARKS.sub("", unicodedata.normalize("NFD", word.lower())).replace("đ", "d")


class SearchVietnamese(SearchLanguage):
    """Sphinx search language ``vi``: diacritic-insensitive, no stemming."""

    lang = "vi"
    language_name = "Vietnamese"
    stopwords: set[str] = set()
    # Must fold exactly as fold() does, or queries stop matching the index.
    js_stemmer_code = r"""
/**
 * Vietnamese: no stemming; diacritics folded (d2lvi/site/search_vi.py does the same).
 */
var Stemmer = function() {
  this.stemWord = function(w) {
    return w.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/\u0111/g, "d");
  }
}
"""

    def stem(self, word: str) -> str:
        """The index form of a word: folded."""
        return fold(word)
