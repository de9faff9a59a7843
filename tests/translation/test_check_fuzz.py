"""Property tests: no input makes the checker raise, and the CLI prints only located lines."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from d2lvi.translation import cli
from d2lvi.translation.check import check_bytes
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.rules import RULES, Context
from d2lvi.translation.spelling import load_wordlist, unknown_words

REPO = Path(__file__).resolve().parents[2]
CHAPTER_LINES = (REPO / "chapter_cnn" / "transposed-conv.md").read_text(encoding="utf-8").split(
    "\n")
CONTEXT = Context(
    upstream=(REPO / "i18n" / "upstream" / "chapter_cnn" / "transposed-conv.md").read_text(
        encoding="utf-8"),
    glossary=load_glossary((REPO / "i18n" / "glossary.yml").read_text(encoding="utf-8")),
    wordlist=load_wordlist((REPO / "i18n" / "wordlist.txt").read_text(encoding="utf-8")),
    spell=unknown_words,
)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mangled_chapters(draw: st.DrawFn) -> bytes:
    """The real chapter sliced, with lines deleted, duplicated or moved, maybe cut mid-byte."""
    lines = list(CHAPTER_LINES)
    start = draw(st.integers(0, len(lines)))
    end = draw(st.integers(start, len(lines)))
    if draw(st.booleans()):
        lines = lines[start:end]
    for _ in range(draw(st.integers(0, 12))):
        if not lines:
            break
        k = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "move", "cut"]))
        if action == "delete":
            del lines[k]
        elif action == "duplicate":
            lines.insert(k, lines[k])
        elif action == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(k))
        else:
            lines[k] = lines[k][: draw(st.integers(0, len(lines[k])))]
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):  # truncated, possibly inside a multi-byte character
        data = data[: draw(st.integers(0, len(data)))]
    return data


INPUTS = st.one_of(
    mangled_chapters(),
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["<!--", "-->", "```", "```{code-cell} ipython3", ":::",
                              ":::{figure} x.svg", "$", "$$", "`", "{numref}`", "# T",
                              "<!-- ===== Bắt đầu dịch Phần 1 ===== -->", "*dịch đoạn phía "
                              "trên*", "<!-- ===== Kết thúc dịch Phần 1 ===== -->", "",
                              "% d2lvi: noqa", "<script>", "sải chân", "\r", "\x00", "\t"]),
             max_size=40).map(lambda parts: "\n".join(parts).encode("utf-8")),
)


def line_count(data: bytes) -> int:
    """Lines of a file as the checker numbers them."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


@SETTINGS
@given(data=INPUTS)
def test_no_input_makes_the_core_raise(data: bytes) -> None:
    assert shutil.which("hunspell"), "hunspell is missing: apt-get install hunspell hunspell-vi"
    findings = check_bytes(data, CONTEXT)
    for finding in findings:
        assert finding.code in RULES
        assert 1 <= finding.line <= line_count(data)
        assert finding.col >= 1 and finding.message


@SETTINGS
@given(data=INPUTS)
def test_cli_prints_only_located_lines(data: bytes, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transposed-conv.md"
        path.write_bytes(data)
        status = cli.check_main([str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 1)
    located = re.compile(rf"{re.escape(str(path))}:\d+:\d+: TR\d{{3}} \S.*")
    assert all(located.fullmatch(line) for line in out.splitlines()), out
    assert "Traceback" not in err
