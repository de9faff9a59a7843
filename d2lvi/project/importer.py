"""Import one d2l-vn section into the book: plan everything, refuse bad input whole, then write.

``plan`` reads and checks the template (or plain d2l-en section), resolves its images,
converts it to the project's MyST convention and, optionally, executes it once in the seeded
kernel; it writes nothing and raises ``RefusedError`` (one line per problem, with file and
line) when the section cannot be imported. ``Plan.apply`` then writes every file, so a refused
import leaves the project exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from d2lvi.config import TOC, book_chapters, pinned_upstream, project_config
from d2lvi.export.config import NotebookError
from d2lvi.export.notebook import generate
from d2lvi.project import toc as toc_file
from d2lvi.project.run import FailedCell, run_once
from d2lvi.source.d2l import (
    CODE_INFO,
    LABEL_LINE,
    code_runs_here,
    fence_body,
    fence_info,
    image_refs,
)
from d2lvi.source.pairs import blocks_of, markdown_parser, parse
from d2lvi.source.plain import to_template
from d2lvi.source.repair import repaired
from d2lvi.source.template import Converted, to_myst
from d2lvi.translation.check import decode
from d2lvi.translation.glossary import load_glossary
from d2lvi.translation.stale import english_blocks, normalize
from d2lvi.translation.syntax import unclosed_fences


class RefusedError(ValueError):
    """The section cannot be imported; the message has one line per problem."""


@dataclass
class Plan:
    """What an import writes, and what it tells the user."""

    chapter: Path  # book-relative, e.g. chapter_cnn/pooling.md
    writes: dict[Path, bytes] = field(default_factory=dict)  # book-relative path -> content
    report: list[str] = field(default_factory=list)
    unchanged: bool = False

    def apply(self, root: Path) -> None:
        """Write every planned file (folders created as needed)."""
        for rel, data in self.writes.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)


def read_source(src: Path) -> tuple[str, list[str]]:
    """The source's text, repaired as a maintainer would (``d2lvi.source.repair``), and the
    repairs made (one ``file:line`` line each); ``RefusedError`` naming what is wrong."""
    if not src.is_file():
        raise RefusedError(f"{src}: không có tệp này (no such file)")
    text, problem = decode(src.read_bytes())
    if problem is not None:
        raise RefusedError(f"{src}:{problem.line}:{problem.col}: {problem.message}")
    if not (text or "").strip():
        raise RefusedError(f"{src}:1: tệp rỗng (empty file): không có gì để nhập")
    fixed = repaired((text or "").replace("\r\n", "\n"))
    lines, tokens = fixed.text.split("\n"), markdown_parser().parse(fixed.text)
    broken = [(note.line, max(lines[note.line - 1].find("<!--") + 1, 1),
               f"chú thích `<!--` không được đóng bằng `-->` (unclosed comment): {note.message}; "
               "thêm `-->` vào cuối bản gốc tiếng Anh rồi nhập lại") for note in fixed.ambiguous]
    broken += [(f.line, f.col, f.message) for f in unclosed_fences(lines, tokens)]
    if broken:
        raise RefusedError("\n".join(f"{src}:{line}:{col}: {message}"
                                     for line, col, message in sorted(broken)))
    return fixed.text, [f"{src}:{note.line}: {note.message}" for note in fixed.notes]


def as_template(src: Path, text: str, headings: dict[str, str]) -> tuple[str, bool]:
    """The translation template of the source, and whether it was made from plain d2l-en."""
    chapter = parse(text)
    if chapter.parts and chapter.pairs:
        return text, False
    if chapter.parts or chapter.pairs:
        raise RefusedError(f"{src}:1: mẫu dịch hỏng: có dấu Phần nhưng không có bản gốc "
                      "trong chú thích, hoặc ngược lại (template without parts or English "
                      "comments)")
    blocks = blocks_of(text)
    first = next((b for b in blocks if b.kind not in ("comment", "front_matter")), None)
    # A d2l section: a title, then its label or d2l code cells (a README has neither).
    d2l = any(LABEL_LINE.match(line) for line in text.split("\n")) or any(
        b.kind == "code" and CODE_INFO.match(fence_info(b.text)) for b in blocks)
    if first is None or first.kind != "heading" or first.level != 1 or not d2l:
        line = first.start if first else 1
        raise RefusedError(f"{src}:{line}: không phải mẫu dịch d2l-vn (không có dấu Phần, "
                      "bản gốc trong chú thích) cũng không phải một mục d2l (tiêu đề `# …` với "
                      "nhãn :label: hoặc ô mã {.python .input}): not a template")
    return to_template(text, headings), True


def fixed_headings(root: Path) -> dict[str, str]:
    """English fixed headings (Summary, Exercises, Discussions) → their Vietnamese."""
    path = root / project_config(root).get("glossary", "i18n/glossary.yml")
    if not path.exists():
        return {}
    out = {}
    for entry in load_glossary(path.read_text(encoding="utf-8")):
        if entry.heading:
            out[entry.en.casefold()] = entry.vi[0]
            out[entry.en.casefold() + "s"] = entry.vi[0]
    return out


def chapter_folder(root: Path, src: Path, into: str | None) -> str:
    """Where the section goes: ``INTO``, else the folder alias of ``_config.yml``, else the
    template's own folder name."""
    folder = into or src.resolve().parent.name
    if not into and (root / "_config.yml").exists():
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
        aliases = (config.get("sphinx", {}).get("config", {}) or {}).get("d2lvi_chapter_folders")
        folder = (aliases or {}).get(folder, folder)
    if not re.fullmatch(r"chapter_[\w.-]+", folder):
        raise RefusedError(f"{src}: thư mục chương {folder!r} không theo quy ước chapter_…: "
                      "chọn bằng INTO=chapter_… (python -m d2lvi import --into)")
    return folder


def section_name(src: Path) -> str:
    """The section's file name in the book: ``pooling_vn.md`` → ``pooling.md``."""
    stem = src.stem[:-3] if src.stem.endswith("_vn") else src.stem
    return stem + ".md"


def images(src: Path, template: str, folder: str, root: Path) -> dict[Path, bytes]:
    """The images the template references, resolved next to it, keyed by book path."""
    out: dict[Path, bytes] = {}
    problems = []
    for line, ref in image_refs(template):
        found = (src.parent / ref).resolve()
        target = (root / folder / ref).resolve()
        if not target.is_relative_to(root.resolve()):
            problems.append(f"{src}:{line}: ảnh {ref} nằm ngoài sách (image outside the book)")
        elif not found.is_file():
            problems.append(f"{src}:{line}: thiếu ảnh {ref} (không thấy {found})")
        else:
            rel = target.relative_to(root.resolve())
            data = found.read_bytes()
            if (root / rel).exists() and (root / rel).read_bytes() != data:
                problems.append(f"{src}:{line}: ảnh {rel} đã có trong sách với nội dung khác "
                                "(an image of that name exists): đổi tên một trong hai")
            out[rel] = data
    if problems:
        raise RefusedError("\n".join(problems))
    return out


def check_citations(src: Path, template: str, root: Path) -> None:
    """Every ``:cite:`` key of the template is in the book's bibliography, else RefusedError."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    bib = "\n".join((root / f).read_text(encoding="utf-8")
                    for f in config.get("bibtex_bibfiles", []) or [] if (root / f).exists())
    known = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib))
    missing = []
    for number, line in enumerate(template.split("\n"), 1):
        for keys in re.findall(r":cite:`([^`]+)`", line):
            missing += [(number, k.strip()) for k in keys.split(",") if k.strip() not in known]
    if missing:
        raise RefusedError("\n".join(
            f"{src}:{number}: trích dẫn {key} chưa có trong references.bib: thêm mục BibTeX của "
            "nó (như trong d2l.bib của d2l) rồi nhập lại (unknown citation)"
            for number, key in dict.fromkeys(missing)))


LABELS = re.compile(r"^\(([^()\s]+)\)=\s*$|^:name:\s*(\S+)\s*$|\$\$ \(([^()\s]+)\)\s*$",
                    re.M)


def labels_of(text: str) -> set[str]:
    """The labels a MyST chapter defines: targets, figure names, equation labels."""
    return {a or b or c for a, b, c in LABELS.findall(text)}


def check_labels(src: Path, myst: str, template: str, root: Path, chapter: Path) -> None:
    """No label of the new section is already defined by another section, else RefusedError."""
    taken = {}
    for other in book_chapters(root):
        if other != chapter and (root / other).exists():
            for label in labels_of((root / other).read_text(encoding="utf-8")):
                taken.setdefault(label, other)
    clashes = sorted(labels_of(myst) & set(taken))
    if clashes:
        lines = template.split("\n")
        raise RefusedError("\n".join(
            f"{src}:{next((n for n, ln in enumerate(lines, 1) if label in ln), 1)}: nhãn "
            f"{label} đã được {taken[label]} định nghĩa (duplicate label): mục này đã có trong "
            "sách?" for label in clashes))


def same_english(old: str, new: str) -> bool:
    """Whether two upstream texts have the same English originals and MXNet code."""
    def code(text: str) -> list[str]:
        cells = [fence_body(b.text) for b in blocks_of(text)
                 if b.kind == "code" and CODE_INFO.match(fence_info(b.text))]
        return [normalize(c) for c in cells if code_runs_here(c)]

    def english(text: str) -> list[str]:
        return [normalize(b.text) for b in english_blocks(text)]

    return english(old) == english(new) and code(old) == code(new)


def template_code_lines(template: str) -> list[int]:
    """The template line of each code cell that reaches the chapter, in order."""
    return [b.start for b in blocks_of(template) if b.kind == "code"
            and CODE_INFO.match(fence_info(b.text)) and code_runs_here(fence_body(b.text))]


def plan(root: Path, src: Path, into: str | None = None, execute: bool = True) -> Plan:
    """Everything an import of ``src`` would write, or ``RefusedError``."""
    text, repairs = read_source(src)
    template, made = as_template(src, text, fixed_headings(root))
    folder = chapter_folder(root, src, into)
    chapter = Path(folder) / section_name(src)
    upstream = pinned_upstream(chapter, project_config(root))
    result = Plan(chapter, report=repairs)
    if (root / chapter).exists():
        pinned = root / upstream
        if pinned.exists() and same_english(pinned.read_text(encoding="utf-8"), template):
            result.unchanged = True
            result.report.append(f"{chapter}: đã nhập từ bản gốc này rồi, không có gì thay đổi "
                                 "(already imported)")
            return result
        raise RefusedError(f"{src}: {chapter} đã có trong sách và bản tiếng Anh này khác bản "
                      f"đã ghim {upstream}: xem đoạn nào lỗi thời bằng `make stale UPSTREAM={src} "
                      f"FILE={chapter}` rồi cập nhật bản dịch (the section exists: use make stale)")
    result.writes.update(images(src, template, folder, root))
    check_citations(src, template, root)
    converted = to_myst(template)
    check_labels(src, converted.text, template, root, chapter)
    _report_conversion(result, src, converted, made)
    myst = converted.text
    if execute:
        myst, outputs, failed = run_once(myst, chapter, template_code_lines(template), root)
        result.report += [cell.report(src) for cell in failed]
        result.writes.update(outputs)
    def read(path: str) -> bytes:
        """A book file, as the import will leave it."""
        return result.writes.get(Path(path)) or (root / path).read_bytes()

    try:
        notebooks = generate(root, [chapter.as_posix()], {chapter.as_posix(): myst}, read)
    except NotebookError as err:
        raise RefusedError(f"{err} (sổ tay Colab)") from None
    result.writes.update({Path(rel): text.encode() for rel, text in notebooks.items()})
    result.writes[upstream] = template.encode()
    result.writes[chapter] = myst.encode()
    result.writes[Path(TOC)] = toc_file.dump(_toc_with(root, chapter)).encode()
    return result


def _toc_with(root: Path, chapter: Path) -> dict:
    """The book's toc with the chapter added."""
    path = root / TOC
    toc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    toc = toc or {"format": "jb-book", "root": "index"}
    return toc_file.add_section(toc, chapter.with_suffix("").as_posix())


def _report_conversion(result: Plan, src: Path, converted: Converted, made: bool) -> None:
    """What the conversion did, for the user: adapted cells (as diffs) and dropped blocks."""
    if made:
        result.report.append(f"{src}: mục d2l thuần tiếng Anh: đã tạo mẫu dịch (English blocks "
                             "in comments, placeholders after them)")
    for line, cell in converted.adapted:
        result.report.append(f"{src}:{line}: ô mã được sửa cho d2l 1.0.3: "
                             + "; ".join(cell.reasons) + "\n" + cell.diff(f"{src}:{line}"))
    for line, why in converted.dropped:
        result.report.append(f"{src}:{line}: bỏ qua khối này: {why}")


__all__ = ["FailedCell", "Plan", "RefusedError", "plan"]
