"""Vietnamese search: the index (Python) and the query (JavaScript) fold words the same way."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from d2lvi.site.search_vi import SearchVietnamese, fold

WORDS = ["Tích", "chập", "chuyển", "vị", "Đệm", "sải", "bước", "nơ", "ươm", "Ảnh", "hay",
         "convolutions", "ĐẮM", "học", "sâu", "Hình", "kênh", "ỹ"]


def test_fold_strips_diacritics_and_case() -> None:
    assert fold("Tích chập chuyển vị") == "tich chap chuyen vi"
    assert fold("Đệm") == "dem"
    assert fold("nơ-ron ưu") == "no-ron uu"


def test_stemming_keeps_english_words_as_they_are() -> None:
    search = SearchVietnamese({})
    assert search.stem("convolutions") == "convolutions"
    assert search.stem("hay") == "hay"  # the English stemmer would make it "hai"


def test_javascript_query_folding_matches_the_python_index() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node không có: cài Node.js (apt-get install nodejs)")
    script = (SearchVietnamese.js_stemmer_code
              + f"\nconst s = new Stemmer();\nconsole.log(JSON.stringify("
              f"{json.dumps(WORDS)}.map(w => s.stemWord(w.toLowerCase()))));")
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [fold(w) for w in WORDS]
