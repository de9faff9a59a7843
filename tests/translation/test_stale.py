"""Staleness against a new upstream English, and translation progress per Phần."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from d2lvi.source.pairs import parse
from d2lvi.source.repair import repaired
from d2lvi.translation import cli
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.stale import align, compare, english_blocks, normalize, status

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
CHAPTER = REPO / "chapter_cnn" / "transposed-conv.md"
UPSTREAM = REPO / "i18n" / "upstream" / "chapter_cnn" / "transposed-conv.md"
HEADINGS = [e for e in load_glossary((REPO / "i18n" / "glossary.yml").read_text(
    encoding="utf-8")) if e.heading]
EDITED = DATA / "stale-fail-two-edited-one-added-one-removed.md"


def read(path: Path) -> str:
    """A UTF-8 file."""
    return path.read_text(encoding="utf-8")


def line_of(text: str, snippet: str) -> int:
    """1-based line of the first line containing ``snippet``."""
    return next(k for k, ln in enumerate(text.split("\n"), 1) if snippet in ln)


def changes(chapter: str, upstream: str) -> list[tuple[str, int, int]]:
    """(kind, chapter line, part) of every change."""
    blocks = english_blocks(upstream, HEADINGS)
    return [(c.kind, c.line, c.part)
            for *_, c in compare(parse(chapter).pairs, blocks, len(chapter.split("\n"))) if c]


def test_plain_d2l_file_gives_the_same_english_blocks_as_the_template() -> None:
    plain = english_blocks(read(DATA / "stale-pass-plain-d2l.md"), HEADINGS)
    template = english_blocks(read(UPSTREAM), HEADINGS)
    assert [normalize(b.text) for b in plain] == [normalize(b.text) for b in template]
    assert len(template) == len(parse(read(UPSTREAM)).pairs)


def test_unchanged_upstream_reports_nothing() -> None:
    chapter = read(CHAPTER)
    assert changes(chapter, read(UPSTREAM)) == []
    assert changes(chapter, read(DATA / "stale-pass-plain-d2l.md")) == []


def test_two_edits_one_addition_one_removal_are_exactly_reported() -> None:
    chapter = read(CHAPTER)

    def comment(snippet: str) -> int:
        """The "<!--" line of the English original containing ``snippet``."""
        return line_of(chapter, snippet) - 1

    assert changes(chapter, read(EDITED)) == [
        ("new", comment("Or we can use `nn.Conv2DTranspose`"), 1),
        ("stale", comment("As a result, if we feed $X$"), 2),
        ("stale", comment("Next, we rewrite convolution kernel"), 3),
        ("removed", comment("Then the convolution operator can be implemented"), 3),
    ]


def test_edited_template_block_is_stale_not_removed_and_new() -> None:
    upstream = read(UPSTREAM).replace("Similarly, strides are applied to outputs as well.",
                                      "Similarly, strides are applied to the outputs too.")
    chapter = read(CHAPTER)
    assert changes(chapter, upstream) == [
        ("stale", line_of(chapter, "Similarly, strides are applied") - 1, 2)]


def test_align_pairs_similar_blocks_and_keeps_unrelated_ones_apart() -> None:
    old = ["alpha beta gamma delta", "one two three", "kept as is"]
    new = ["alpha beta gamma epsilon", "kept as is", "something entirely different"]
    assert align(old, new) == [(0, 0), (1, None), (2, 1), (None, 2)]


def test_stale_cli_prints_located_lines_and_exits_1(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert cli.stale_main([str(EDITED), str(CHAPTER.relative_to(REPO))]) == 1
    lines = capsys.readouterr().out.splitlines()
    located = [ln for ln in lines if re.match(r"chapter_cnn/transposed-conv\.md:\d+:1: ", ln)]
    assert [ln.split(": ")[1].split(" ")[0] for ln in located] == [
        "mới", "lỗi", "lỗi", "đã"]
    assert len(located) == len(lines) - 1  # plus one summary line


def test_stale_cli_exits_0_when_nothing_changed(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert cli.stale_main([str(DATA / "stale-pass-plain-d2l.md"),
                           str(CHAPTER.relative_to(REPO))]) == 0


def test_stale_cli_exits_2_on_a_missing_file(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert cli.stale_main(["no/such/upstream.md"]) == 2
    assert "lỗi:" in capsys.readouterr().err


def test_status_counts_every_translated_block_per_part() -> None:
    chapter = read(CHAPTER)
    pairs = parse(chapter).pairs
    rows, removed = status(chapter, english_blocks(read(UPSTREAM), HEADINGS))
    assert removed == 0
    assert [(r.part, r.translated, r.stale, r.untranslated) for r in rows] == [
        (p, sum(x.part == p for x in pairs), 0, 0) for p in parse(chapter).parts]
    assert all(r.percent == 100 for r in rows)


def test_status_counts_placeholders_as_untranslated() -> None:
    chapter = read(CHAPTER).replace("Hãy kiểm chứng nhận định này.", "*dịch đoạn phía trên*")
    rows = {r.part: r for r in status(chapter)[0]}
    assert (rows[2].untranslated, rows[2].translated) == (1, 4)
    assert rows[2].percent == 80


def test_status_never_counts_stale_blocks_as_translated() -> None:
    chapter = read(CHAPTER)
    pairs = parse(chapter).pairs
    per_part = {p: sum(x.part == p for x in pairs) for p in parse(chapter).parts}
    rows, removed = status(chapter, english_blocks(read(EDITED), HEADINGS))
    got = {r.part: (r.translated, r.stale, r.untranslated) for r in rows}
    assert removed == 1
    assert got == {1: (per_part[1], 0, 1), 2: (per_part[2] - 1, 1, 0),
                   3: (per_part[3] - 2, 1, 0), 4: (per_part[4], 0, 0)}


def test_status_cli_prints_a_table_with_a_total(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert cli.status_main(["--upstream", str(EDITED), str(CHAPTER.relative_to(REPO))]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Phần\s+Đã dịch\s+Lỗi thời\s+Chưa dịch\s+Tổng\s+Tiến độ$", out, re.M)
    assert re.search(r"^2\s+4\s+1\s+0\s+5\s+80%$", out, re.M)
    assert re.search(r"^Tổng\s+\d+\s+2\s+1\s+\d+\s+\d+%$", out, re.M)


def test_status_of_the_whole_book_prints_one_row_per_section(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert cli.status_main(["--upstream", str(EDITED)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Mục\s+Đã dịch\s+Lỗi thời\s+Chưa dịch\s+Tổng\s+Tiến độ$", out, re.M)
    assert re.search(r"^chapter_cnn/transposed-conv.md\s+18\s+2\s+1\s+21\s+85%$", out, re.M)


def test_stale_names_the_section_when_the_file_name_is_ambiguous(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    for name in ("a", "b"):
        (tmp_path / f"chapter_{name}").mkdir()
        (tmp_path / f"chapter_{name}" / "pooling.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n- file: chapter_a/pooling\n"
        "- file: chapter_b/pooling\n", encoding="utf-8")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "pooling.md").write_text("# Pooling\n\nText.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.stale_main(["new/pooling.md"]) == 2
    err = capsys.readouterr().err
    assert "chapter_a/pooling.md, chapter_b/pooling.md" in err and "FILE=" in err
    assert err.count("\n") == 1


def test_stale_finds_the_section_from_the_upstreams_file_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    newer = tmp_path / "transposed-conv_vn.md"
    newer.write_bytes(EDITED.read_bytes())
    monkeypatch.chdir(REPO)
    assert cli.stale_main([str(newer)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("chapter_cnn/transposed-conv.md:")


def test_a_raw_template_gives_the_english_blocks_of_its_repaired_copy() -> None:
    raw = read(DATA / "import" / "chapter_demo" / "unclosed_vn.md")
    fixed = [p.en for p in parse(repaired(raw).text).pairs]
    assert [b.text for b in english_blocks(raw, HEADINGS)] == fixed
    assert [p.en for p in parse(raw).pairs] != fixed  # unrepaired, one block swallows the next
    assert fixed[1].endswith("so it runs on into the next English block.")
