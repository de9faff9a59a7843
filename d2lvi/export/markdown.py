"""A chapter's MyST blocks as plain Markdown cells (Colab does not render MyST): references
and citations resolved, figures inlined, every English original in a collapsed ``<details>``."""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nbformat

from d2lvi.export.config import (
    BookConfig,
    NotebookError,
    Reference,
    colab_url,
    notebook_path,
    source_url,
)
from d2lvi.source.pairs import TARGET, Block, Pair, parse

# Roles in either dialect: MyST ({numref}`x`) in the Vietnamese text, d2l (:numref:`x`)
# in the English originals.
ROLE = re.compile(r"(?:\{(?P<myst>[a-z:-]+)\}|:(?P<d2l>numref|cite|eqref|ref):)`(?P<target>[^`]+)`")


EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<label>[^<>]+)>$", re.DOTALL)


LABEL_LINE = re.compile(r"^:label:`[^`]+`\s*$")


D2L_FIGURE = re.compile(r"^!\[(?P<caption>.*)\]\((?P<src>[^)\s]+)\)\s*$")


EMPTY_ITEM = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s*$")


OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


CELL_BREAK = re.compile(r"^\+\+\+")


# What survives of MyST in a Markdown cell is a bug: roles, directives, targets.
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif"}
MYST_LEFTOVER = re.compile(r"\{[a-z:-]+\}`|^:::|^```\{|^\([^()\s]+\)=\s*$", re.MULTILINE)


@dataclass
class Conversion:
    """What the conversion of one chapter needs to resolve references."""

    source: str  # the chapter's path, for messages
    config: BookConfig
    bibliography: dict[str, Reference]
    figures: dict[str, int] = field(default_factory=dict)  # label -> number
    sections: dict[str, str] = field(default_factory=dict)  # label -> heading text
    cited: list[str] = field(default_factory=list)
    # Labels the book's other sections define: label -> (link text, URL of their notebook).
    book_refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Reads a book-relative file (a figure); figures travel inside the notebook as attachments
    # of the cell that shows them, so the notebook is whole wherever it is opened.
    read: Callable[[str], bytes] | None = None
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)  # of the next cell

    def elsewhere(self, label: str, line: int, text: str | None = None) -> str:
        """A label defined by another section, or left to the online English book."""
        if label in self.book_refs:
            title, url = self.book_refs[label]
            shown = text.replace("%s", "").strip() if text else title
            return f"[{shown}]({url})" if url else shown
        if self.config.external_fallback_url:
            url = self.config.external_fallback_url.replace("{label}", label)
            words = re.sub(r"[_-]+", " ", re.sub(r"^(?:sec|subsec|chap|fig|img|tab|eq)_", "",
                                                 label)).strip()
            shown = text.replace("%s", "").strip() if text and "%s" not in text else words
            return f"[«{shown}» (bản tiếng Anh, d2l.ai)]({url})"
        raise self.fail(line, f"tham chiếu không xác định (unknown reference) {label!r}")

    def fail(self, line: int, message: str) -> NotebookError:
        """One clear error line with file and line."""
        return NotebookError(f"{self.source}:{line}: {message}")


def _split_explicit(target: str) -> tuple[str | None, str]:
    """``text <label>`` → (text, label); ``label`` → (None, label)."""
    if m := EXPLICIT.match(target):
        return m["text"], m["label"].strip()
    return None, target.strip()


def _numref(ctx: Conversion, target: str, lang: str, line: int) -> str:
    """A numbered reference as plain Markdown text or link."""
    text, label = _split_explicit(target)
    formats = ctx.config.numref_vi if lang == "vi" else ctx.config.numref_en
    if label in ctx.figures:
        fmt = text if text and "%s" in text else formats.get("fig", "%s")
        return fmt.replace("%s", str(ctx.figures[label]))
    if label in ctx.sections:
        return text.replace("%s", "").strip() if text else ctx.sections[label]
    if label in ctx.config.external_refs:
        entry = ctx.config.external_refs[label]
        if text and "%s" in text:
            fmt = text
        else:
            fmt = ctx.config.external_numref_format if lang == "vi" else formats.get("sec", "%s")
        return f"[{fmt.replace('%s', str(entry['number']))}]({entry['url']})"
    return ctx.elsewhere(label, line, text)


def _ref(ctx: Conversion, target: str, line: int) -> str:
    """A named reference (``ref``) as its title, linked when external."""
    text, label = _split_explicit(target)
    if label in ctx.config.external_refs:
        entry = ctx.config.external_refs[label]
        return f"[{text or entry.get('title', label)}]({entry['url']})"
    if label in ctx.sections:
        return text or ctx.sections[label]
    return ctx.elsewhere(label, line, text)


def _cite(ctx: Conversion, keys: str, textual: bool, line: int) -> str:
    """Author-year citation text, e.g. "(Dumoulin & Visin, 2016)"."""
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in ctx.bibliography:
            raise ctx.fail(line, f"trích dẫn không có trong references.bib (unknown citation) "
                                 f"{key!r}")
        if key not in ctx.cited:
            ctx.cited.append(key)
        ref = ctx.bibliography[key]
        parts.append(f"{ref.authors} ({ref.year})" if textual else f"{ref.authors}, {ref.year}")
    return ", ".join(parts) if textual else "(" + "; ".join(parts) + ")"


def _roles(ctx: Conversion, text: str, lang: str, first_line: int) -> str:
    """Replace every role of either dialect with plain Markdown."""

    def one(m: re.Match[str]) -> str:
        line = first_line + text.count("\n", 0, m.start())
        role = m["myst"] or m["d2l"]
        target = m["target"]
        if role == "numref":
            return _numref(ctx, target, lang, line)
        if role == "ref":
            return _ref(ctx, target, line)
        if role in ("cite", "cite:p", "cite:ps"):
            return _cite(ctx, target, False, line)
        if role in ("cite:t", "cite:ts"):
            return _cite(ctx, target, True, line)
        if role == "term":
            return _split_explicit(target)[0] or target
        if role in ("eq", "eqref"):
            return f"({target})"
        raise ctx.fail(line, f"vai trò MyST chưa hỗ trợ trong sổ tay (unsupported role) {role!r}")

    return ROLE.sub(one, text)


def _figure_parts(text: str) -> tuple[str, dict[str, str], str]:
    """A ``:::{figure}`` directive's source, options and caption."""
    lines = text.strip().split("\n")
    src = lines[0].split("}", 1)[1].strip()
    body = lines[1:-1] if lines[-1].strip().startswith(":::") else lines[1:]
    options: dict[str, str] = {}
    while body and (m := OPTION.match(body[0].strip())):
        options[m["key"]] = m["value"].strip()
        body = body[1:]
    return src, options, "\n".join(body).strip()


def _resolve(chapter: str, src: str) -> str:
    """A chapter-relative file path as a book-relative one."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(chapter), src))


def _figure(ctx: Conversion, block: Block) -> str:
    """A figure directive as a Markdown image and an italic numbered caption."""
    src, options, caption = _figure_parts(block.text)
    caption = _roles(ctx, caption, "vi", block.start)
    url = _attach(ctx, _resolve(ctx.source, src), block.start)
    alt = options.get("alt", caption).replace("[", "(").replace("]", ")")
    image = f"![{alt}]({url})"
    number = ctx.figures.get(options.get("name", ""))
    if number is None:
        return f"{image}\n\n*{caption}*" if caption else image
    label = ctx.config.numref_vi.get("fig", "%s").replace("%s", str(number))
    return f"{image}\n\n*{label}: {caption}*"


def _attach(ctx: Conversion, path: str, line: int) -> str:
    """A figure as an attachment of the cell being written; its ``attachment:`` URL."""
    if ctx.read is None:
        raise ctx.fail(line, f"không đọc được hình {path} (no file reader)")
    try:
        data = ctx.read(path)
    except OSError as err:
        raise ctx.fail(line, f"không đọc được hình {path}: {err.strerror}") from None
    mime = IMAGE_TYPES.get(posixpath.splitext(path)[1].lower())
    if mime is None:
        raise ctx.fail(line, f"kiểu hình chưa hỗ trợ trong sổ tay (image type) {path}")
    name = posixpath.basename(path)
    ctx.attachments[name] = {mime: base64.b64encode(data).decode("ascii")}
    return f"attachment:{name}"


def _list(text: str) -> str:
    """A list without its empty items (contributor placeholders)."""
    return "\n".join(line for line in text.split("\n") if not EMPTY_ITEM.match(line))


def _vi_block(ctx: Conversion, block: Block) -> str:
    """One Vietnamese (or untouched) block as Colab Markdown; empty when dropped."""
    if block.kind in ("target", "front_matter", "comment"):
        return ""
    if block.kind == "figure" and block.text.lstrip().startswith((":::{figure}", "```{figure}")):
        return _figure(ctx, block)
    text = _list(block.text) if block.kind == "list" else block.text
    if CELL_BREAK.match(text) or not text.strip():
        return ""
    return _roles(ctx, text, "vi", block.start)


def _english(ctx: Conversion, pair: Pair, figure_number: int | None) -> str:
    """A pair's English original as Colab Markdown."""
    lines = []
    for line in pair.en.split("\n"):
        if LABEL_LINE.match(line):
            continue
        if m := D2L_FIGURE.match(line):
            caption = m["caption"]
            if figure_number is not None:
                label = ctx.config.numref_en.get("fig", "%s").replace("%s", str(figure_number))
                caption = f"{label}: {caption}"
            line = f"*{caption}*"
        lines.append(line)
    text = "\n".join(lines).strip("\n")
    if pair.is_heading:
        text = text.lstrip("#").strip()
    return _roles(ctx, text, "en", pair.en_start + 1)


def _details(ctx: Conversion, english: str) -> str:
    """The English original, collapsed."""
    label = ctx.config.toggle_label
    return f'<details lang="en"><summary lang="vi">{label}</summary>\n\n{english}\n\n</details>'


def _pair(ctx: Conversion, pair: Pair) -> str:
    """A translated block followed by its English original, collapsed."""
    figure_number = next(
        (ctx.figures.get(_figure_parts(b.text)[1].get("name", ""))
         for b in pair.vi_blocks if b.kind == "figure" and b.text.lstrip().startswith(":::")),
        None,
    )
    english = _english(ctx, pair, figure_number)
    if pair.untranslated:
        # Nothing to put first yet: the English is the text, marked as such.
        if pair.is_heading:
            return "#" * _heading_level(pair.en) + " " + english
        return f"*(Chưa dịch — untranslated)*\n\n{english}"
    vi = "\n\n".join(t for t in (_vi_block(ctx, b) for b in pair.vi_blocks) if t)
    return f"{vi}\n\n{_details(ctx, english)}"


def _heading_level(text: str) -> int:
    """The level of a Markdown ATX heading."""
    stripped = text.lstrip()
    return len(stripped) - len(stripped.lstrip("#"))


def _collect_labels(ctx: Conversion, blocks: tuple[Block, ...]) -> None:
    """Number the figures and name the section targets, in document order."""
    pending: list[str] = []
    for block in blocks:
        if block.kind == "target" and (m := TARGET.match(block.text.strip())):
            pending.append(m.group(1))
            continue
        if block.kind == "heading":
            title = _roles(ctx, block.text.lstrip("#").strip(), "vi", block.start)
            for label in pending:
                ctx.sections[label] = title
        if block.kind == "figure" and block.text.lstrip().startswith(":::{figure}"):
            name = _figure_parts(block.text)[1].get("name")
            if name:
                ctx.figures[name] = len(ctx.figures) + 1
        if block.kind not in ("comment",):
            pending = []


def _is_code_cell(block: Block) -> bool:
    """Whether a fenced block is a MyST notebook code cell."""
    return block.kind == "code" and block.text.lstrip().startswith(("```{code-cell}",
                                                                     "~~~{code-cell}"))


def _intro(ctx: Conversion, chapter: str) -> str:
    """The note after the title: where the notebook comes from, how to open it."""
    nb = notebook_path(chapter)
    if ctx.config.repository_url:
        origin = (f"[`{chapter}`]({source_url(ctx.config, chapter)}); đừng sửa trực tiếp. "
                  f"[Mở trong Colab]({colab_url(ctx.config, nb)}). ")
    else:  # no repository configured: nothing to link to, the notebook travels as a file
        origin = (f"`{chapter}`; đừng sửa trực tiếp. Mở trong Colab: *File → Upload notebook* "
                  "(Tệp → Tải sổ tay lên). ")
    return (
        f"> Sổ tay này được sinh tự động từ {origin}"
        "Ô mã đầu tiên cài MXNet 1.9.1 và d2l khi cần (trên Colab), rồi đặt hạt giống ngẫu nhiên.\n"
        ">\n"
        f"> *Generated from `{chapter}`; do not edit. The first code cell installs MXNet 1.9.1"
        " and d2l when needed (on Colab).*"
    )


def markdown_cells(ctx: Conversion, text: str, chapter: str, code_cells: list[Any]) -> list[Any]:
    """Walk the chapter's blocks into notebook cells (Markdown and the given code cells)."""
    parsed = parse(text)
    _collect_labels(ctx, parsed.blocks)
    pairs = {p.en_start: p for p in parsed.pairs}
    consumed = {b.start for p in parsed.pairs for b in p.vi_blocks}
    cells: list[Any] = []
    chunks: list[str] = []
    code = iter(code_cells)
    titled = False

    def flush() -> None:
        if chunks:
            # Trailing spaces would be hard line breaks in Markdown: drop them.
            source = "\n".join(line.rstrip() for line in "\n\n".join(chunks).split("\n"))
            cell = nbformat.v4.new_markdown_cell(source)
            if ctx.attachments:
                cell["attachments"] = dict(ctx.attachments)
                ctx.attachments.clear()
            cells.append(cell)
            chunks.clear()

    for block in parsed.blocks:
        if block.start in consumed:
            continue
        if _is_code_cell(block):
            flush()
            cell = next(code, None)
            if cell is None:
                raise ctx.fail(block.start, "jupytext đọc được ít ô mã hơn (fewer code cells)")
            cells.append(cell)
            continue
        pair = pairs.get(block.start) if block.kind == "comment" else None
        heading = block.kind == "heading" or (pair is not None and pair.is_heading)
        if heading:
            flush()
        chunk = _pair(ctx, pair) if pair else _vi_block(ctx, block)
        if chunk:
            chunks.append(chunk)
        if heading and not titled:
            # The title's cell also says where the notebook comes from; the setup cell follows.
            titled = True
            chunks.append(_intro(ctx, chapter))
            flush()
    flush()
    if next(code, None) is not None:
        raise NotebookError(f"{ctx.source}: jupytext đọc được nhiều ô mã hơn (more code cells)")
    if ctx.cited:
        refs = "\n".join(f"* **{r.authors}, {r.year}.** {r.text}"
                         for r in (ctx.bibliography[k] for k in ctx.cited))
        cells.append(nbformat.v4.new_markdown_cell(f"## Tài liệu tham khảo\n\n{refs}"))
    return cells


def book_refs(ctx_of: dict[str, Conversion], texts: dict[str, str], url_of: dict[str, str]
              ) -> dict[str, tuple[str, str]]:
    """Every section and figure label of the book's chapters: (link text, their notebook)."""
    out: dict[str, tuple[str, str]] = {}
    for chapter, text in texts.items():
        ctx = ctx_of[chapter]
        _collect_labels(ctx, parse(text).blocks)
        fig = ctx.config.numref_vi.get("fig", "Hình %s")
        for label, title in ctx.sections.items():
            out[label] = (title, url_of[chapter])
        for label, number in ctx.figures.items():
            out[label] = (fig.replace("%s", str(number)), url_of[chapter])
    return out
