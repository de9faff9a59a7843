"""The glossary check per block (TR303, TR304): each glossary term of an English original is
in its translation, in one of its glossary forms, unless the glossary declares otherwise."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from d2lvi.source.pairs import parse
from d2lvi.translation import cli, terms
from d2lvi.translation.check import check_text
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.rules import Context, Finding

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
GLOSSARY = load_glossary((REPO / "i18n" / "glossary.yml").read_text(encoding="utf-8"))
DRIFTED = "tests/data/glossary-fail-drifted-kernel.md"


def fixture(name: str) -> str:
    """A fixture file's text."""
    return (DATA / name).read_text(encoding="utf-8")


def glossary_findings(text: str, glossary: list | None = None, path: str = "") -> list[Finding]:
    """TR303/TR304 findings of the whole checker on a text."""
    ctx = Context(glossary=GLOSSARY if glossary is None else glossary, path=path)
    return [f for f in check_text(text, ctx) if f.code in ("TR303", "TR304")]


def where(text: str, snippet: str, word: str) -> tuple[int, int]:
    """1-based line and column of ``word`` on the first line holding ``snippet``."""
    lines = text.split("\n")
    k = next(k for k, ln in enumerate(lines) if snippet in ln)
    return k + 1, lines[k].index(word) + 1


def found(english: str, glossary: list | None = None) -> list[tuple[str, str]]:
    """(entry, text) of each glossary term found in an English text."""
    return [(o.entry.en, o.text) for o in terms.english_terms(
        terms.unmarked(english), GLOSSARY if glossary is None else glossary)]


def test_a_drifted_term_is_reported_at_the_english_term_with_the_expected_vietnamese() -> None:
    text = fixture("glossary-fail-drifted-kernel.md")
    findings = glossary_findings(text)
    assert [(f.line, f.col, f.code) for f in findings] == [
        (*where(text, "we need a kernel", "kernel"), "TR303"),
        (*where(text, "three-dimensional kernel", "kernel"), "TR303")]
    vi_line = where(text, "ta cần một bộ lọc", "bộ lọc")[0]
    assert findings[0].message == (f"bản gốc có «kernel» nhưng bản dịch (dòng {vi_line}) "
                                   "không có «hạt nhân» (glossary)")
    assert findings[0].severity == "warning" and findings[0].level(strict=True) == "error"


def test_the_command_prints_file_line_col_and_fails_only_when_strict(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    text = fixture("glossary-fail-drifted-kernel.md")
    line, col = where(text, "we need a kernel", "kernel")
    assert cli.check_main(["--no-spelling", DRIFTED]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"{DRIFTED}:{line}:{col}: TR303 cảnh báo: bản gốc có «kernel» nhưng bản dịch " \
           f"(dòng {line + 4}) không có «hạt nhân» (glossary)" in out
    assert cli.check_main(["--no-spelling", "--strict", DRIFTED]) == 1
    out, err = capsys.readouterr()
    assert f"{DRIFTED}:{line}:{col}: TR303 bản gốc có «kernel»" in out
    assert "2 lỗi, 0 cảnh báo, 1 chỗ chưa dịch." in err


def test_a_declared_exception_allows_its_alternative_in_its_block_only() -> None:
    glossary = load_glossary(fixture("glossary-pass-declared-exception.yml"))
    text = fixture("glossary-fail-drifted-kernel.md")
    findings = glossary_findings(text, glossary, path=str(REPO / DRIFTED))
    assert [(f.line, f.col) for f in findings] == [
        where(text, "three-dimensional kernel", "kernel")]


def test_an_exception_applies_only_to_the_file_it_names() -> None:
    glossary = load_glossary(fixture("glossary-pass-declared-exception.yml"))
    text = fixture("glossary-fail-drifted-kernel.md")
    findings = glossary_findings(text, glossary, path="chapter_cnn/other.md")
    assert [f.line for f in findings] == [where(text, "we need a kernel", "k")[0],
                                          where(text, "three-dimensional kernel", "k")[0]]


def test_an_exception_without_an_alternative_means_the_term_is_not_required_there() -> None:
    source = fixture("glossary-pass-declared-exception.yml").replace("      allow: [bộ lọc]\n",
                                                                     "")
    findings = glossary_findings(fixture("glossary-fail-drifted-kernel.md"),
                                 load_glossary(source), path=DRIFTED)
    assert len(findings) == 1 and "Stacking" not in findings[0].message


def test_an_exception_that_matches_no_block_is_reported() -> None:
    source = fixture("glossary-pass-declared-exception.yml").replace(
        "we need a kernel", "we want a kernel")
    findings = glossary_findings(fixture("glossary-fail-drifted-kernel.md"),
                                 load_glossary(source), path=DRIFTED)
    [unused] = [f for f in findings if f.code == "TR304"]
    assert (unused.line, unused.col) == (1, 1)
    assert "«kernel»" in unused.message and "«we want a kernel with as many»" in unused.message
    assert len([f for f in findings if f.code == "TR303"]) == 2  # the block is checked again


@pytest.mark.parametrize("missing", ["file", "en", "why"])
def test_an_exception_without_its_file_snippet_or_justification_is_refused(
        missing: str) -> None:
    exception = {"file": "chapter_cnn/channels.md", "en": "we need a kernel",
                 "allow": ["bộ lọc"], "why": "lý do"}
    del exception[missing]
    source = yaml.safe_dump([{"en": "kernel", "vi": ["hạt nhân"], "exceptions": [exception]}],
                            allow_unicode=True)
    with pytest.raises(ValueError, match="needs 'file', 'en'.*'why'"):
        load_glossary(source)


def test_a_glossary_refused_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "glossary.yml").write_text(
        "- en: kernel\n  vi: [hạt nhân]\n  exceptions:\n    - file: a.md\n      en: x\n",
        encoding="utf-8")
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "d2lvi", "check", "a.md"], cwd=tmp_path,
                            capture_output=True, text=True, check=False,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lỗi: cấu hình của trình kiểm tra: glossary: entry 1 (kernel), exception 1 needs "
        "'file', 'en' (a snippet of the English) and 'why' (the justification)"]


def test_a_plural_and_an_irregular_plural_are_the_term() -> None:
    assert found("The kernels are small matrices.") == [("kernel", "kernels"),
                                                        ("matrix", "matrices")]
    text = fixture("glossary-fail-plural-and-multi-word.md")
    messages = [f.message for f in glossary_findings(text)]
    assert [m.split(" nhưng")[0] for m in messages] == [
        "bản gốc có «pooling layers» (thuật ngữ «pooling layer»)",
        "bản gốc có «kernels» (thuật ngữ «kernel»)",
        "bản gốc có «matrices» (thuật ngữ «matrix»)"]


def test_a_multi_word_term_needs_its_own_rendering_not_its_words_separately() -> None:
    assert found("Two pooling layers then halve the resolution.") == [
        ("pooling layer", "pooling layers"), ("resolution", "resolution")]
    text = fixture("glossary-fail-plural-and-multi-word.md")
    first_block = [f for f in glossary_findings(text) if f.line == where(text, "Two", "T")[0]]
    assert [f.message.split("không có ")[1] for f in first_block] == ["«tầng gộp» (glossary)"]
    assert not terms.has_form(terms.vietnamese_key("hai tầng này gộp lại"), ["tầng gộp"])


def test_a_word_of_a_longer_term_is_still_required_where_it_occurs_on_its_own() -> None:
    assert found("A pooling layer has no parameters, unlike a layer of kernels.") == [
        ("pooling layer", "pooling layer"), ("layer", "layer"), ("kernel", "kernels")]


def test_overlapping_terms_are_both_required() -> None:
    assert found("a max pooling layer") == [("max pooling", "max pooling"),
                                            ("pooling layer", "pooling layer")]


def test_hyphen_space_and_line_break_variants_are_one_term() -> None:
    for english in ("a fully-connected layer", "a fully connected\nlayer",
                    "fully connected layers", "the cross correlation"):
        assert len(found(english)) == 1, english
    assert found("a dataset and a data set") == [("data set", "dataset"),
                                                  ("data set", "data set")]
    text = fixture("glossary-fail-plural-and-multi-word.md")
    last_block = where(text, "a fully connected", "a")[0]
    assert [f for f in glossary_findings(text) if f.line >= last_block] == []


def test_a_term_inside_inline_code_math_a_role_or_a_link_is_not_required() -> None:
    text = fixture("glossary-pass-terms-in-code-math-and-links.md")
    assert found(parse(text).pairs[0].en) == []
    assert glossary_findings(text) == []


def test_a_rendering_inside_math_or_code_does_not_count() -> None:
    text = fixture("glossary-fail-rendering-only-inside-math.md")
    assert [(f.line, f.col) for f in glossary_findings(text)] == [
        where(text, "The kernel $K$", "kernel")]


def test_vietnamese_forms_match_whole_syllables_only() -> None:
    assert terms.has_form(terms.vietnamese_key("một tensor ba chiều"), ["tensor"])
    assert not terms.has_form(terms.vietnamese_key("thư viện TensorFlow"), ["tensor"])
    assert terms.has_form(terms.vietnamese_key("mạng nơ-ron tích chập"),
                          ["mạng nơ-ron tích chập"])
    assert not terms.has_form(terms.vietnamese_key("tầng, gộp"), ["tầng gộp"])


def test_case_unicode_normalisation_and_tone_placement_do_not_matter() -> None:
    decomposed = unicodedata.normalize("NFD", "Các Hạt Nhân nhỏ")
    assert terms.has_form(terms.vietnamese_key(decomposed), ["hạt nhân"])
    assert terms.has_form(terms.vietnamese_key("tối ưu hoá"), ["tối ưu hóa"])
    assert terms.has_form(terms.vietnamese_key("tối ưu hóa"), ["tối ưu hoá"])


def test_an_untranslated_block_is_not_checked_for_terms() -> None:
    text = fixture("glossary-fail-drifted-kernel.md")
    assert where(text, "Assume that the kernel", "kernel")[0] not in {
        f.line for f in glossary_findings(text)}


def test_the_whole_book_has_no_glossary_finding_even_as_ci_runs_it() -> None:
    result = subprocess.run([sys.executable, "-m", "d2lvi", "check", "--strict",
                             "--no-spelling"], cwd=REPO, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r": TR30[34] ", result.stdout), result.stdout
