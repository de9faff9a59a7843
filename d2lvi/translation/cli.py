"""Command-line adapters of the translation checks: ``check``, ``stale`` and ``status``."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from d2lvi.config import chapters, pinned_upstream, project_config
from d2lvi.source.pairs import (
    parse,
)
from d2lvi.translation.check import check_bytes
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.rules import Context, Finding
from d2lvi.translation.stale import Change, PartStatus, compare, english_blocks, status


class _Spell:
    """hunspell as a SpellFunction that remembers why it could not run."""

    def __init__(self, dictionary: str) -> None:
        """Use the named hunspell dictionary."""
        self.dictionary = dictionary
        self.missing: str | None = None

    def __call__(self, words: Iterable[str]) -> set[str]:
        """Unknown words; none (and a note) when hunspell is unavailable."""
        from d2lvi.translation.spelling import SpellcheckerMissingError, unknown_words

        if self.missing:
            return set()
        try:
            return unknown_words(words, self.dictionary)
        except SpellcheckerMissingError as err:
            self.missing = str(err)
            return set()


def _read_optional(path: Path) -> str | None:
    """A UTF-8 file's text, or None when it does not exist."""
    return path.read_bytes().decode("utf-8") if path.exists() else None


def check_main(argv: list[str]) -> int:
    """``python -m d2lvi check [--strict] [FILES...]``: 1 on errors, 0 when clean or warnings
    and untranslated blocks only."""
    from d2lvi.translation.spelling import load_wordlist

    parser = argparse.ArgumentParser(
        prog="python -m d2lvi check",
        description="Kiểm tra bản dịch: in path:dòng:cột: MÃ thông báo.")
    parser.add_argument("files", nargs="*", help="mục (mặc định: chapter_*/ của _toc.yml)")
    parser.add_argument("--upstream", help="bản gốc tiếng Anh để so (mặc định: i18n/upstream/…)")
    parser.add_argument("--ignore", default="", help="các mã bỏ qua, ví dụ TR001,TR002")
    parser.add_argument("--no-spelling", action="store_true", help="không chạy hunspell")
    parser.add_argument("--strict", action="store_true",
                        help="như CI: thuật ngữ (TR303, TR304) là lỗi, không chỉ là cảnh báo")
    ns = parser.parse_args(argv)
    config = project_config()
    spell = _Spell(str(config.get("hunspell_dictionary", "vi_VN")))
    ignore = frozenset(re.findall(r"TR\d{3}", ns.ignore.upper()))
    if ns.upstream and not Path(ns.upstream).is_file():
        print(f"lỗi: không có bản gốc {ns.upstream}", file=sys.stderr)
        return 2
    try:
        glossary_text = _read_optional(Path(config.get("glossary", "i18n/glossary.yml")))
        wordlist_text = _read_optional(Path(config.get("wordlist", "i18n/wordlist.txt")))
        base = Context(
            glossary=load_glossary(glossary_text) if glossary_text else (),
            wordlist=load_wordlist(wordlist_text or ""),
            spell=None if ns.no_spelling or "TR501" in ignore else spell,
            ignore=ignore,
        )
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: cấu hình của trình kiểm tra: {err}", file=sys.stderr)
        return 2
    counts = {"error": 0, "warning": 0, "info": 0}
    status = 0
    for path in chapters(ns.files):
        try:
            data = path.read_bytes()
            source = Path(ns.upstream) if ns.upstream else pinned_upstream(path, config)
            upstream = _read_optional(source)
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: lỗi: không đọc được tệp: {err}", file=sys.stderr)
            status = 2
            continue
        if upstream is None:
            print(f"{path}: lưu ý: không có bản gốc {source}; bỏ qua các kiểm tra so với bản "
                  "gốc (TR101–TR113, TR206)", file=sys.stderr)
        findings = check_bytes(data, replace(base, upstream=upstream, path=path.as_posix()))
        _print_findings(str(path), findings, ns.strict, every_info=bool(ns.files))
        for finding in findings:
            counts[finding.level(ns.strict)] += 1
    if spell.missing:
        print(f"cảnh báo: {spell.missing}; bỏ qua kiểm tra chính tả "
              "(cài: apt-get install hunspell hunspell-vi)", file=sys.stderr)
    if status and not (counts["error"] or counts["warning"]):
        return status  # a file could not be read: "no errors" would be a lie
    print(_summary(counts), file=sys.stderr)
    return status or (1 if counts["error"] else 0)


def _print_findings(path: str, findings: Sequence[Finding], strict: bool,
                    every_info: bool) -> None:
    """One line per finding; on the whole book, untranslated blocks (info) as one line per
    section, since most of an imported book is untranslated and would bury the rest."""
    infos = [f for f in findings if f.level(strict) == "info"]
    for finding in findings:
        if every_info or finding not in infos:
            print(finding.format(path, strict))
    if infos and not every_info:
        print(f"{path}:{infos[0].line}:{infos[0].col}: {infos[0].code} lưu ý: {len(infos)} "
              f"chỗ chưa dịch (untranslated; xem make status, từng chỗ: make lint FILE={path})")


def _summary(counts: dict[str, int]) -> str:
    """The closing line: errors, warnings and untranslated blocks."""
    if not any(counts.values()):
        return "Không có lỗi."
    text = f"{counts['error']} lỗi, {counts['warning']} cảnh báo"
    return text + (f", {counts['info']} chỗ chưa dịch." if counts["info"] else ".")


def _config() -> dict:
    """The ``[tool.d2lvi]`` settings."""
    return project_config()


def glossary_headings(config: dict | None = None) -> list:
    """Glossary entries marked ``heading: true`` (empty when the glossary is missing)."""
    from d2lvi.translation.glossary import load_glossary

    config = _config() if config is None else config
    path = Path(config.get("glossary", "i18n/glossary.yml"))
    if not path.exists():
        return []
    return [e for e in load_glossary(path.read_text(encoding="utf-8")) if e.heading]


def read_text(path: Path) -> str:
    """A UTF-8 text file; raises OSError/UnicodeDecodeError for the caller to report."""
    return path.read_bytes().decode("utf-8")


def _excerpt(text: str, width: int = 70) -> str:
    """The first line of a block, shortened."""
    first = text.strip().split("\n")[0]
    return first if len(first) <= width else first[: width - 1] + "…"


LABELS = {"stale": "lỗi thời (stale)", "new": "mới (new)", "removed": "đã bỏ (removed)"}


def format_change(path: str, change: Change) -> str:
    """One located line, like gettext marking a fuzzy entry."""
    where = f"Phần {change.part}" if change.part else "ngoài các phần"
    upstream = f" [bản mới, dòng {change.upstream_line}]" if change.upstream_line else ""
    verb = {"stale": "bản gốc đã sửa", "new": "đoạn mới, chèn trước dòng này",
            "removed": "bản gốc không còn đoạn này"}[change.kind]
    return (f"{path}:{change.line}:1: {LABELS[change.kind]} {where}: {verb}{upstream}: "
            f"«{_excerpt(change.text)}»")


def stale_main(argv: list[str]) -> int:
    """``python -m d2lvi stale NEW_UPSTREAM [CHAPTER]``: exit 1 when anything changed."""
    parser = argparse.ArgumentParser(
        prog="python -m d2lvi stale",
        description="So chương với bản tiếng Anh mới: đoạn lỗi thời / mới / đã bỏ.")
    parser.add_argument("upstream", help="bản tiếng Anh mới (mẫu dịch hoặc tệp .md của d2l)")
    parser.add_argument("chapter", nargs="?", help="mục (mặc định: chapter_*/ của _toc.yml)")
    ns = parser.parse_args(argv)
    try:
        headings = glossary_headings()
        upstream = english_blocks(read_text(Path(ns.upstream)), headings)
        changed = 0
        for chapter in [Path(ns.chapter)] if ns.chapter else [section_of(Path(ns.upstream))]:
            text = read_text(chapter)
            for *_, change in compare(parse(text).pairs, upstream, len(text.split("\n"))):
                if change is not None:
                    changed += 1
                    print(format_change(str(chapter), change))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2
    print(f"{changed} đoạn cần cập nhật." if changed else "Bản dịch khớp với bản gốc mới.")
    return 1 if changed else 0


def section_of(upstream: Path) -> Path:
    """The book's section an upstream file is the English of, from its name (``pooling.md``,
    ``pooling_vn.md``); ValueError when no section or several have that name."""
    stem = upstream.stem[:-3] if upstream.stem.endswith("_vn") else upstream.stem
    book = chapters([])
    found = [c for c in book if c.stem == stem] or (book if len(book) == 1 else [])
    if len(found) != 1:
        which = ", ".join(str(c) for c in found) or "không mục nào"
        raise ValueError(f"{upstream}: không đoán được mục nào ({which}): chỉ rõ bằng "
                         "FILE=chapter_…/tên.md")
    return found[0]


def format_table(rows: Sequence[PartStatus], names: Sequence[str] | None = None,
                 head_name: str = "Phần") -> str:
    """A small aligned table, one row per Phần (or per section, with ``names``) and the total."""
    total = PartStatus(0, sum(r.translated for r in rows), sum(r.stale for r in rows),
                       sum(r.untranslated for r in rows))
    head = (head_name, "Đã dịch", "Lỗi thời", "Chưa dịch", "Tổng", "Tiến độ")
    body = [(names[k] if names else str(r.part), str(r.translated), str(r.stale),
             str(r.untranslated), str(r.total), f"{r.percent}%") for k, r in enumerate(rows)]
    body.append(("Tổng", str(total.translated), str(total.stale), str(total.untranslated),
                 str(total.total), f"{total.percent}%"))
    widths = [max(len(row[k]) for row in [head, *body]) for k in range(len(head))]
    lines = ["  ".join(c.ljust(w) if k == 0 else c.rjust(w)
                       for k, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def status_main(argv: list[str]) -> int:
    """``python -m d2lvi status [--upstream FILE] [CHAPTER...]``: progress per section, or per
    Phần of the named sections."""
    parser = argparse.ArgumentParser(
        prog="python -m d2lvi status", description="Tiến độ dịch theo từng phần.")
    parser.add_argument("chapters", nargs="*", help="mục (mặc định: chapter_*/ của _toc.yml)")
    parser.add_argument("--upstream", help="bản tiếng Anh để so (mặc định: bản gốc đã ghim)")
    ns = parser.parse_args(argv)
    try:
        headings = glossary_headings()
        totals, names = [], []
        for chapter in chapters(ns.chapters):
            source = Path(ns.upstream) if ns.upstream else pinned_upstream(chapter)
            upstream = english_blocks(read_text(source), headings) if source.exists() else None
            rows, removed = status(read_text(chapter), upstream)
            names.append(str(chapter))
            totals.append(PartStatus(0, sum(r.translated for r in rows),
                                     sum(r.stale for r in rows),
                                     sum(r.untranslated for r in rows)))
            if ns.chapters:  # named sections: their progress per Phần
                print(f"{chapter}" + (f" (so với {source})" if upstream is not None else ""))
                print(format_table(rows))
            if removed:
                print(f"{chapter}: {removed} đoạn không còn trong bản gốc: xem `make stale`.")
        if not ns.chapters:  # the whole book: one row per section
            print(format_table(totals, names, "Mục"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2
    return 0

