"""The translation checker finds each fault, with its code, on the right line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from d2lvi.source.repair import repaired
from d2lvi.source.template import to_myst
from d2lvi.translation import cli, inline
from d2lvi.translation.check import check_bytes, check_text
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.rules import RULES, Context, Finding
from d2lvi.translation.spelling import load_wordlist, tone_variant, unknown_words

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
CHAPTER = REPO / "chapter_cnn" / "transposed-conv.md"
UPSTREAM = REPO / "i18n" / "upstream" / "chapter_cnn" / "transposed-conv.md"
GLOSSARY = load_glossary((REPO / "i18n" / "glossary.yml").read_text(encoding="utf-8"))
WORDLIST = load_wordlist((REPO / "i18n" / "wordlist.txt").read_text(encoding="utf-8"))


def require_hunspell() -> None:
    """Fail (never skip) when the spelling tools are missing."""
    assert shutil.which("hunspell"), (
        "hunspell is missing: `make system-deps` or `apt-get install -y hunspell hunspell-vi`")
    assert unknown_words(["chập"]) == set(), "the hunspell-vi dictionary (vi_VN) is missing"


def context(**changes: object) -> Context:
    """The checker's real configuration: pinned upstream, glossary, word list, hunspell."""
    require_hunspell()
    values = dict(upstream=UPSTREAM.read_text(encoding="utf-8"), glossary=GLOSSARY,
                  wordlist=WORDLIST, spell=unknown_words)
    values.update(changes)
    return Context(**values)


def chapter_text() -> str:
    """The real chapter."""
    return CHAPTER.read_text(encoding="utf-8")


def mutate(old: str, new: str) -> str:
    """The real chapter with one unique snippet replaced."""
    text = chapter_text()
    assert text.count(old) == 1, f"snippet not unique in the chapter: {old!r}"
    return text.replace(old, new)


def line_of(text: str, snippet: str, after: str = "") -> int:
    """1-based line of the first line containing ``snippet`` (after the line with ``after``)."""
    lines = text.split("\n")
    start = next(k for k, ln in enumerate(lines) if after in ln) if after else 0
    return next(k for k, ln in enumerate(lines[start:], start + 1) if snippet in ln)


def located(findings: list[Finding]) -> set[tuple[str, int]]:
    """The (code, line) of each finding."""
    return {(f.code, f.line) for f in findings}


def test_real_chapter_has_no_errors() -> None:
    findings = check_text(chapter_text(), context())
    assert [f for f in findings if f.severity == "error"] == []


def test_real_chapter_passes_the_command_with_exit_0() -> None:
    # --strict, as CI's `make lint STRICT=1`: a glossary finding in the book fails the suite.
    result = subprocess.run([sys.executable, "-m", "d2lvi", "check", "--strict"], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^\S+:\d+:\d+: TR\d{3} (?!cảnh báo)", result.stdout, re.M)


# (fault, old snippet, new snippet, code, where the finding must be in the mutated text)
FAULTS = [
    ("untranslated paragraph", "Tương tự, sải bước cũng được áp dụng lên đầu ra.\n", "",
     "TR001", lambda t: line_of(t, "Similarly, strides are applied") - 1),
    ("edited code line", "    h, w = K.shape\n", "    h, w = K.shape[::-1]\n",
     "TR111", lambda t: line_of(t, "h, w = K.shape[::-1]")),
    ("heading level mismatch", "## Tích chập chuyển vị 2D cơ bản",
     "### Tích chập chuyển vị 2D cơ bản", "TR203", lambda t: line_of(t, "### Tích chập")),
    ("missing math", "ma trận đầu vào $2\\times 2$.", "ma trận đầu vào hai nhân hai.",
     "TR204", lambda t: line_of(t, "Hãy xét trường hợp cơ bản")),
    ("missing inline code", "(xem hàm `corr2d` trong", "(xem hàm tương quan chéo trong",
     "TR205", lambda t: line_of(t, "Hãy nhớ lại rằng phép tích chập")),
    ("missing reference", "và tầng gộp ({numref}`sec_pooling`)", "và tầng gộp",
     "TR207", lambda t: line_of(t, "Các tầng của mạng nơ-ron tích chập")),
    ("reference in d2l syntax", "và tầng gộp ({numref}`sec_pooling`)",
     "và tầng gộp (:numref:`sec_pooling`)", "TR207",
     lambda t: line_of(t, "Các tầng của mạng nơ-ron tích chập")),
    ("missing citation", " {cite:p}`Long.Shelhamer.Darrell.2015`", "", "TR208",
     lambda t: line_of(t, "Các tầng của mạng nơ-ron tích chập")),
    ("missing label", "(sec_transposed_conv)=\n", "", "TR206",
     lambda t: line_of(t, "# Tích chập chuyển vị")),
    ("avoided term", "đệm bằng 0 và sải bước bằng 1.", "đệm bằng 0 và sải chân bằng 1.",
     "TR302", lambda t: line_of(t, "sải chân")),
    ("script in translation", "Hãy kiểm chứng nhận định này.",
     "Hãy kiểm chứng nhận định này. <script>alert(1)</script>", "TR401",
     lambda t: line_of(t, "<script>")),
    ("English changed against upstream", "Verify the results in :numref:`fig_trans_conv`.",
     "Check the results in :numref:`fig_trans_conv`.", "TR101",
     lambda t: line_of(t, "Check the results")),
    ("English paragraph removed", "<!--\nSimilarly, strides are applied to outputs as well.\n"
     "-->\n\nTương tự, sải bước cũng được áp dụng lên đầu ra.\n", "", "TR102",
     lambda t: line_of(t, "The multi-channel extension") - 1),
    ("English paragraph added", "<!--\nSimilarly, strides",
     "<!--\nThis sentence is not in d2l.\n-->\n\nCâu này không có trong d2l.\n\n"
     "<!--\nSimilarly, strides", "TR103", lambda t: line_of(t, "This sentence is not") - 1),
    ("code cell removed", "```{code-cell} ipython3\nY == np.dot(W, X.reshape(-1))."
     "reshape(2, 2)\n```\n", "", "TR112",
     lambda t: line_of(t, "```{code-cell}", after="Ta cũng có thể lập trình tích chập chuyển")),
    ("code cell added", "Hãy kiểm chứng nhận định này.\n",
     "Hãy kiểm chứng nhận định này.\n\n```{code-cell} ipython3\nprint(42)\n```\n",
     "TR113", lambda t: line_of(t, "print(42)") - 1),
]


@pytest.mark.parametrize(("old", "new", "code", "where"), [f[1:] for f in FAULTS],
                         ids=[f[0] for f in FAULTS])
def test_each_fault_is_reported_with_its_code_on_the_right_line(
        old: str, new: str, code: str, where: Callable[[str], int]) -> None:
    text = mutate(old, new)
    findings = check_text(text, context())
    assert (code, where(text)) in located(findings), findings
    assert RULES[code].severity == "error"
    assert {f.code for f in findings if f.severity == "error"} == {code}


def test_edited_english_is_reported_at_the_changed_word() -> None:
    text = mutate("The multi-channel extension of the transposed convolution is the same",
                  "The multi-channel extension of the transposed convolution is similar")
    [finding] = [f for f in check_text(text, context()) if f.code == "TR101"]
    line = line_of(text, "The multi-channel extension")
    assert (finding.line, finding.col) == (line, text.split("\n")[line - 1].index("similar") + 1)


def test_a_placeholder_left_is_a_located_non_failing_finding() -> None:
    text = mutate("Hãy kiểm tra lại kết quả trong {numref}`fig_trans_conv`.",
                  "*dịch đoạn phía trên*")
    findings = check_text(text, context())
    assert [(f.code, f.line, f.severity) for f in findings] == [
        ("TR002", line_of(text, "*dịch đoạn phía trên*"), "info")]
    assert findings[0].level(strict=True) == "info"  # CI does not fail on it either


def test_a_drifted_term_in_the_real_chapter_is_a_glossary_warning_at_the_english_term(
        ) -> None:
    text = mutate("tức là gộp các giá trị đầu vào lại thông qua hạt nhân.\nNgược lại, tích chập "
                  "chuyển vị lan truyền (*broadcast*) các giá trị đầu vào thông qua hạt nhân,",
                  "tức là gộp các giá trị đầu vào lại thông qua bộ lọc.\nNgược lại, tích chập "
                  "chuyển vị lan truyền (*broadcast*) các giá trị đầu vào thông qua bộ lọc,")
    findings = [f for f in check_text(text, context()) if f.severity != "info"]
    line = line_of(text, "summarizes input values through the kernel")
    col = text.split("\n")[line - 1].index("kernel") + 1
    assert [(f.code, f.line, f.col) for f in findings] == [("TR303", line, col)]
    assert "«hạt nhân»" in findings[0].message and findings[0].severity == "warning"


def test_avoided_term_is_an_error_wherever_it_appears() -> None:
    text = mutate("## Tóm tắt", "## Tóm tắt về lớp phức tạp")
    assert ("TR302", line_of(text, "lớp phức tạp")) in located(check_text(text, context()))


def test_misspelt_vietnamese_word_is_a_spelling_warning() -> None:
    text = mutate("Tương tự, sải bước cũng", "Tưong tự, sải bước cũng")
    findings = [f for f in check_text(text, context()) if f.code == "TR501"]
    line = line_of(text, "Tưong tự")
    assert [(f.line, f.col) for f in findings] == [(line, 1)]
    assert "«Tưong»" in findings[0].message
    assert findings[0].severity == "warning"


def test_spelling_accepts_both_tone_placements() -> None:
    require_hunspell()
    assert tone_variant("họa") == "hoạ" and tone_variant("thuỷ") == "thủy"
    assert unknown_words(["họa", "hoạ", "thủy", "thuỷ", "khỏe"]) == set()


def test_spelling_skips_math_code_roles_urls_and_english_italics() -> None:
    prose = inline.prose("Xem $\\mathrm{abcxyz}$, `qwerty`, {numref}`fig_zzz`, "
                       "https://d2l.ai/xyz và (*fractionally-strided convolution*).")
    assert re.findall(r"\w+", prose) == ["Xem", "và"]


def test_wordlist_words_are_not_reported() -> None:
    text = mutate("Tương tự, sải bước cũng", "Tương tự (MXNet, tensor, nơ-ron), sải bước cũng")
    assert [f for f in check_text(text, context()) if f.code == "TR501"] == []


@pytest.mark.parametrize("fixture", ["lint-fail-unclosed-comment.md",
                                     "lint-fail-unclosed-comment-at-end.md"])
def test_unclosed_comment_is_reported_at_its_opening_line(fixture: str) -> None:
    text = (DATA / fixture).read_text(encoding="utf-8")
    lines = text.split("\n")
    # The broken comment is the one not followed by a "-->" before the next "<!--".
    opening = next(k + 1 for k, ln in enumerate(lines) if ln == "<!--" and not any(
        x == "-->" for x in lines[k + 1 : next((j for j in range(k + 1, len(lines))
                                                if lines[j].startswith("<!--")), len(lines))]))
    assert [(f.code, f.line) for f in check_text(text, Context())] == [("TR201", opening)]


@pytest.mark.parametrize("fixture", ["lint-fail-unbalanced-fence.md",
                                     "lint-fail-unclosed-fence-at-end.md"])
def test_unbalanced_fence_is_reported_at_its_opening_line(fixture: str) -> None:
    text = (DATA / fixture).read_text(encoding="utf-8")
    first_fence = line_of(text, "```{code-cell}") if "```" in text else line_of(text, ":::")
    assert [(f.code, f.line) for f in check_text(text, Context())] == [("TR202", first_fence)]


def test_unbalanced_fence_in_the_real_chapter_is_reported_alone() -> None:
    text = mutate("tconv(X)\n```\n\n<!-- ===================== Kết thúc dịch Phần 1",
                  "tconv(X)\n\n<!-- ===================== Kết thúc dịch Phần 1")
    expected = line_of(text, "```{code-cell}", "Ta cũng có thể dùng")
    assert located(check_text(text, context())) == {("TR202", expected)}


def test_unsafe_html_is_rejected_but_comments_and_harmless_tags_pass() -> None:
    text = (DATA / "lint-fail-unsafe-html.md").read_text(encoding="utf-8")
    findings = [f for f in check_text(text, Context()) if f.code == "TR401"]
    expected = [line_of(text, s) for s in ("<script>", "javascript:", "<iframe", "onerror=",
                                            "<style>")]
    assert [f.line for f in findings] == expected
    assert all("<sub>" not in f.message for f in findings)


def test_minimal_fixture_passes() -> None:
    text = (DATA / "lint-pass-minimal.md").read_text(encoding="utf-8")
    assert check_text(text, Context(glossary=GLOSSARY, wordlist=WORDLIST,
                                    spell=unknown_words)) == []


def test_noqa_comment_silences_the_listed_code_in_its_block() -> None:
    old = "Ta cũng có thể dùng `nn.Conv2DTranspose` để"
    text = mutate(old, "Ta cũng có thể dùng nn.Conv2DTranspose để")
    assert "TR205" in {f.code for f in check_text(text, context(spell=None))}
    silenced = mutate(old, "% d2lvi: noqa TR205\nTa cũng có thể dùng nn.Conv2DTranspose để")
    assert "TR205" not in {f.code for f in check_text(silenced, context(spell=None))}


def test_bad_utf8_is_one_located_finding() -> None:
    data = "dòng một\nhai \xff".encode() + b"\xff\xfe ba\n"
    assert [(f.code, f.line) for f in check_bytes(data, Context())] == [("TR003", 2)]


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the CLI from the repository root, as `make lint` does."""
    monkeypatch.chdir(REPO)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """Exit status, stdout lines and stderr of ``python -m d2lvi check``."""
    status = cli.check_main(list(args))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def write_chapter(tmp_path: Path, text: str) -> Path:
    """A mutated copy named like the real chapter (so its pinned upstream applies)."""
    path = tmp_path / "chapter_cnn" / "transposed-conv.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_prints_path_line_col_code_and_exits_1_on_errors(
        in_repo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = mutate("ma trận đầu vào $2\\times 2$.", "ma trận đầu vào hai nhân hai.")
    path = write_chapter(tmp_path, text)
    status, lines, err = run_cli(capsys, str(path))
    line = line_of(text, "Hãy xét trường hợp cơ bản")
    assert status == 1
    assert lines == [f"{path}:{line}:1: TR204 thiếu công thức toán (math): bản gốc có 2, "
                     "bản dịch có 1"]
    assert re.fullmatch(r".*transposed-conv\.md:\d+:\d+: TR\d{3} .+", lines[0])
    assert "1 lỗi" in err


def test_cli_lists_each_placeholder_of_a_named_section_and_exits_0(
        in_repo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = mutate("Hãy kiểm tra lại kết quả trong {numref}`fig_trans_conv`.",
                  "*dịch đoạn phía trên*")
    path = write_chapter(tmp_path, text)
    status, lines, err = run_cli(capsys, "--strict", str(path))
    assert status == 0
    assert lines == [f"{path}:{line_of(text, '*dịch đoạn phía trên*')}:1: TR002 lưu ý: còn chỗ "
                     "giữ chỗ *dịch đoạn phía trên* (placeholder): hãy dịch đoạn này"]
    assert "0 lỗi, 0 cảnh báo, 1 chỗ chưa dịch." in err


def test_cli_on_the_whole_book_counts_placeholders_in_one_line_per_section(
        in_repo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    text = chapter_text().replace("Tương tự, sải bước cũng được áp dụng lên đầu ra.",
                                  "*dịch đoạn phía trên*")
    text = text.replace("Hãy kiểm tra lại kết quả trong {numref}`fig_trans_conv`.",
                        "*dịch đoạn phía trên*")
    path = write_chapter(tmp_path, text)
    monkeypatch.setattr(cli, "chapters", lambda files: files and list(map(Path, files)) or [path])
    status, lines, err = run_cli(capsys)
    first = line_of(text, "*dịch đoạn phía trên*")
    assert status == 0
    assert lines == [f"{path}:{first}:1: TR002 lưu ý: 2 chỗ chưa dịch (untranslated; xem make "
                     f"status, từng chỗ: make lint FILE={path})"]
    assert "2 chỗ chưa dịch." in err


def test_cli_exits_0_on_warnings_only(in_repo: None, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    require_hunspell()
    path = write_chapter(tmp_path, mutate("Tương tự, sải bước cũng", "Tưong tự, sải bước cũng"))
    status, lines, _ = run_cli(capsys, str(path))
    assert status == 0
    assert len(lines) == 1 and ": TR501 cảnh báo: «Tưong»" in lines[0]


def test_cli_exits_2_on_a_missing_file(in_repo: None, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = run_cli(capsys, str(tmp_path / "nowhere.md"))
    assert (status, lines) == (2, [])
    assert "nowhere.md: lỗi:" in err and "Traceback" not in err


def test_cli_exits_2_on_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.check_main(["--no-such-option"])
    assert exit_info.value.code == 2


def test_cli_reports_bad_utf8_as_a_located_line(in_repo: None, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "transposed-conv.md"
    path.write_bytes(chapter_text().encode()[:500] + b"\xc3\x28 rest\n")
    status, lines, _ = run_cli(capsys, str(path))
    assert status == 1
    assert len(lines) == 1 and re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: TR003 .+",
                                            lines[0])


def test_missing_hunspell_prints_one_warning_and_does_not_crash(
        in_repo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = write_chapter(tmp_path, mutate("Tương tự, sải bước cũng", "Tưong tự, sải bước cũng"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no hunspell on it
    status, lines, err = run_cli(capsys, str(path))
    assert (status, lines) == (0, [])
    warnings = [ln for ln in err.splitlines() if "hunspell" in ln]
    assert len(warnings) == 1 and warnings[0].startswith("cảnh báo:")


def test_missing_dictionary_prints_one_warning_and_does_not_crash(
        in_repo: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    require_hunspell()
    from d2lvi import config as project

    config = {**project.project_config(), "hunspell_dictionary": "xx_NO_SUCH"}
    monkeypatch.setattr(cli, "project_config", lambda: config)
    status, lines, err = run_cli(capsys)
    assert (status, lines) == (0, [])
    assert len([ln for ln in err.splitlines() if "xx_NO_SUCH" in ln]) == 1


def test_checker_never_rewrites_the_file(in_repo: None, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = mutate("Tương tự, sải bước", "Tương tự, <script>x</script> sải chân")
    path = write_chapter(tmp_path, text)
    before = path.stat().st_mtime_ns
    run_cli(capsys, str(path))
    assert path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == before


def test_checker_imports_no_mxnet_sphinx_or_jupytext() -> None:
    code = ("import sys; from d2lvi.translation import cli; cli.check_main([]); "
            "heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('mxnet', 'sphinx', 'jupytext', 'nbclient', 'numpy')]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_every_code_is_documented_in_contributing() -> None:
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert re.search(rf"`{rule.code}`.*{re.escape(rule.name)}", guide), rule.code


def test_a_plain_d2l_file_works_as_the_pinned_upstream() -> None:
    chapter = chapter_text()
    plain = (DATA / "stale-pass-plain-d2l.md").read_text(encoding="utf-8")
    assert check_text(chapter, context(upstream=plain, spell=None)) == []
    edited = (DATA / "stale-fail-two-edited-one-added-one-removed.md").read_text(encoding="utf-8")
    findings = check_text(chapter, context(upstream=edited, spell=None))
    assert [(f.code, f.line) for f in findings] == [
        ("TR102", line_of(chapter, "Or we can use `nn.Conv2DTranspose`") - 1),
        ("TR101", line_of(chapter, "then $g(Y)$ should has")),
        ("TR101", line_of(chapter, "row present applying")),
        ("TR103", line_of(chapter, "Then the convolution operator can be") - 1),
    ]


def test_decomposed_unicode_is_checked_like_composed_text() -> None:
    assert check_text(unicodedata.normalize("NFD", chapter_text()), context()) == []
    composed = mutate("sải bước bằng 1", "Sải Chân bằng 1")
    text = unicodedata.normalize("NFD", composed)
    assert ("TR302", line_of(composed, "Sải Chân")) in located(check_text(text, context()))


def test_pre_commit_hook_and_ci_run_the_checker_with_the_lint_pins() -> None:
    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]]
    pins = {ln.strip() for ln in (REPO / "requirements-lint.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")}
    assert hook["entry"] == "python -m d2lvi check"
    assert set(hook["additional_dependencies"]) == pins
    assert re.search(hook["files"], "chapter_cnn/transposed-conv.md")
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    steps = {name: " ".join(str(s.get("run", "")) for s in job["steps"])
             for name, job in workflow["jobs"].items()}
    assert "make lint" in steps["lint"] and "hunspell-vi" in steps["lint"]
    assert "STRICT=1" in steps["lint"]  # the glossary's findings fail CI
    assert re.search(r"^lint:.*\n\t.*\$\(if \$\(STRICT\),--strict\)",
                     (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert "make test" in steps["build"]


def test_a_missing_file_is_one_error_and_never_no_errors(in_repo: None,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    status, lines, err = run_cli(capsys, "missing.md")
    assert status == 2 and lines == []
    assert "missing.md: lỗi: không đọc được tệp" in err and "Không có lỗi" not in err


def test_words_inside_display_math_are_not_spell_checked() -> None:
    require_hunspell()
    text = ("<!-- == Bắt đầu dịch Phần 1 == -->\n\n<!--\nThe sum is\n-->\n\nTổng là\n\n"
            "$$\\begin{aligned}\ny &= \\mathrm{softmaxx}(x) \\\\\n\nz &= y\n\\end{aligned}$$\n\n"
            "<!-- == Kết thúc dịch Phần 1 == -->\n")
    found = check_text(text, Context(spell=unknown_words, wordlist=WORDLIST))
    assert [f for f in found if f.code == "TR501"] == []
    # The same word in prose is still caught: the rule runs.
    prose = text.replace("Tổng là", "Tổng là softmaxx")
    assert [f.code for f in check_text(prose, Context(spell=unknown_words, wordlist=WORDLIST))
            ] == ["TR501"]


def test_a_cell_skipped_without_a_reason_is_an_error() -> None:
    cell = "```{code-cell} ipython3\n:tags: [skip-execution]\nx = 1\n```\n"
    assert [f.code for f in check_text(cell, Context())] == ["TR004"]
    reasoned = cell.replace("\nx = 1", '\n:not-executed: "cần mạng"\nx = 1')
    assert check_text(reasoned, Context()) == []


def test_a_raw_template_with_unclosed_comments_is_compared_as_the_import_repaired_it() -> None:
    raw = (DATA / "import" / "chapter_demo" / "unclosed_vn.md").read_text(encoding="utf-8")
    chapter = to_myst(repaired(raw).text).text
    findings = check_text(chapter, context(upstream=raw, spell=None))
    # Only untranslated blocks: no English changed, added or removed, no code cell added.
    assert sorted({f.code for f in findings}) == ["TR001", "TR002"], findings
