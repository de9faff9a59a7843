"""Generate Colab-ready notebooks from the MyST chapters.

Each notebook keeps the chapter's code cells verbatim and in order; its Markdown is the
Vietnamese text in plain Markdown (Colab does not render MyST), with every English original
in a collapsed ``<details>`` after its translation. A first code cell, tagged
``d2lvi-setup``, installs what Colab lacks (MXNet 1.9.1 wants numpy < 2) and does nothing
where everything is already installed.

Pure core: ``build_notebook`` (chapter text in, notebook out) and ``render`` (notebook in,
text out). ``main`` is the thin CLI adapter of ``python -m d2lvi notebooks [--check]``.
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from d2lvi.pairs import TARGET, Block, Pair, parse

SETUP_TAG = "d2lvi-setup"
NOTEBOOKS_DIR = "notebooks"
COLAB = "https://colab.research.google.com/github"
RAW = "https://raw.githubusercontent.com"

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
MYST_LEFTOVER = re.compile(r"\{[a-z:-]+\}`|^:::|^```\{|^\([^()\s]+\)=\s*$", re.MULTILINE)


class NotebookError(ValueError):
    """A chapter that cannot become a notebook; the message is one line with file:line."""


@dataclass(frozen=True)
class BookConfig:
    """What the generator needs from ``_config.yml``."""

    repository_url: str
    branch: str = "main"
    path_to_book: str = ""
    external_refs: dict[str, dict[str, Any]] = field(default_factory=dict)
    external_numref_format: str = "mục %s"
    numref_vi: dict[str, str] = field(default_factory=lambda: {"fig": "Hình %s"})
    numref_en: dict[str, str] = field(default_factory=lambda: {"fig": "Fig. %s"})
    toggle_label: str = "Bản gốc tiếng Anh"
    bibfiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """The setup cell's requirements (``[tool.d2lvi.colab]`` in pyproject.toml)."""

    require: tuple[str, ...]  # what must hold for the chapter to run, e.g. "numpy<2"
    install: tuple[str, ...]  # what to install when something does not hold
    install_no_deps: tuple[str, ...] = ()  # installed with --no-deps (d2l pins old numpy)


@dataclass(frozen=True)
class Reference:
    """A bibliography entry: its author-year citation parts and its formatted text."""

    authors: str
    year: str
    text: str


# -- configuration --------------------------------------------------------------------


def load_book_config(text: str) -> BookConfig:
    """Read the generator's settings from the text of ``_config.yml``."""
    data = yaml.safe_load(text) or {}
    repo = data.get("repository", {}) or {}
    sphinx = (data.get("sphinx", {}) or {}).get("config", {}) or {}
    numfig = sphinx.get("numfig_format", {}) or {}
    numref_vi = {"fig": numfig.get("figure", "Hình %s"), "sec": numfig.get("section", "Mục %s")}
    return BookConfig(
        repository_url=str(repo.get("url", "")).rstrip("/"),
        branch=str(repo.get("branch", "main")),
        path_to_book=str(repo.get("path_to_book", "") or "").strip("/"),
        external_refs=sphinx.get("d2lvi_external_refs", {}) or {},
        external_numref_format=sphinx.get("d2lvi_external_numref_format", "mục %s"),
        numref_vi=numref_vi,
        numref_en=sphinx.get("d2lvi_numref_en", {"fig": "Fig. %s", "sec": "Section %s"}),
        toggle_label=sphinx.get("d2lvi_toggle_label", "Bản gốc tiếng Anh"),
        bibfiles=tuple(data.get("bibtex_bibfiles", []) or []),
    )


def load_recipe(pyproject: dict[str, Any]) -> Recipe:
    """Read the setup cell's recipe from a parsed pyproject.toml."""
    table = pyproject.get("tool", {}).get("d2lvi", {}).get("colab", {})
    if not table.get("require") or not table.get("install"):
        raise NotebookError("pyproject.toml: thiếu [tool.d2lvi.colab] require/install")
    return Recipe(tuple(table["require"]), tuple(table["install"]),
                  tuple(table.get("install_no_deps", ())))


def load_bibliography(text: str) -> dict[str, Reference]:
    """Parse BibTeX into author-year citation parts and a formatted Markdown entry."""
    from pybtex.database import parse_string
    from pybtex.style.formatting.plain import Style

    data = parse_string(text, "bibtex")
    formatted = {e.key: e.text.render_as("markdown") for e in Style().format_entries(
        data.entries.values())}
    refs = {}
    for key, entry in data.entries.items():
        names = [str(p.rich_last_names[0]) for p in entry.persons.get("author", [])]
        if len(names) > 2:
            authors = f"{names[0]} et al."
        else:
            authors = " & ".join(names)
        text_md = " ".join(formatted[key].split())
        refs[key] = Reference(authors, entry.fields.get("year", "n.d."), text_md)
    return refs


# -- URLs -----------------------------------------------------------------------------


def github_slug(repository_url: str) -> str:
    """``owner/repo`` of a GitHub repository URL."""
    m = re.match(r"^https?://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repository_url)
    if not m:
        raise NotebookError(f"_config.yml: repository.url không phải GitHub: {repository_url!r}")
    return f"{m.group(1)}/{m.group(2)}"


def notebook_path(chapter: str) -> str:
    """Where the notebook of a chapter is committed, relative to the book's root."""
    return posixpath.join(NOTEBOOKS_DIR, posixpath.splitext(chapter)[0] + ".ipynb")


def _in_repo(config: BookConfig, path: str) -> str:
    """A book-relative path as a path in the repository."""
    return posixpath.join(config.path_to_book, path) if config.path_to_book else path


def colab_url(config: BookConfig, notebook: str) -> str:
    """The "Open in Colab" URL of a committed notebook (book-relative path)."""
    slug = github_slug(config.repository_url)
    return f"{COLAB}/{slug}/blob/{config.branch}/{_in_repo(config, notebook)}"


def raw_url(config: BookConfig, path: str) -> str:
    """The raw GitHub URL of a committed file (book-relative path)."""
    slug = github_slug(config.repository_url)
    return f"{RAW}/{slug}/{config.branch}/{_in_repo(config, path)}"


def source_url(config: BookConfig, path: str) -> str:
    """The GitHub page of a committed file (book-relative path)."""
    return f"{config.repository_url}/blob/{config.branch}/{_in_repo(config, path)}"


# -- the setup cell -------------------------------------------------------------------

SETUP_TEMPLATE = """\
#@title Chuẩn bị môi trường (setup): MXNet 1.9.1, d2l
# Ô chuẩn bị (setup cell), sinh tự động bởi `python -m d2lvi notebooks`.
# Trên Colab (Python 3.12, numpy 2.x), ô này cài MXNet 1.9.1 cùng các phiên bản tương thích;
# ở nơi đã cài đủ (ví dụ môi trường .venv của dự án), ô này không cài gì.
# On Colab it installs MXNet 1.9.1 and compatible versions; where all is met, nothing.
import importlib
import importlib.metadata
import random
import sys
import warnings

REQUIRED = [
@REQUIRED@
]


def unmet(requirements):
    \"\"\"The requirements that the installed packages do not satisfy.\"\"\"
    try:
        from packaging.requirements import Requirement
    except ImportError:  # cannot compare versions: install, to be safe
        return list(requirements)
    missing = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if not req.specifier.contains(version, prereleases=True):
            missing.append(text)
    return missing


if unmet(REQUIRED):
@INSTALL@
    importlib.invalidate_caches()

# A module imported before the install keeps its old version until the session restarts.
stale = []
for name in [@MODULES@]:
    loaded = getattr(sys.modules.get(name), "__version__", None)
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if loaded and installed and loaded != installed:
        stale.append(f"{name} {loaded} (đã cài / installed {installed})")
if stale:
    print(
        "Cần khởi động lại phiên: " + ", ".join(stale) + " đã được nạp trước khi cài.\\n"
        "Chọn Runtime → Restart session (Khởi động lại phiên), rồi Runtime → Run all:"
        " ô này sẽ không cài lại.\\n"
        "Restart needed: these modules were loaded before the install. Choose"
        " Runtime → Restart session, then Runtime → Run all: this cell will not reinstall."
    )
    raise RuntimeError("Hãy khởi động lại phiên (restart the session): Runtime → Restart session")

if sys.version_info >= (3, 12):
    # distutils left Python 3.12 and MXNet imports it: setuptools puts its copy in place
    # (its start-up hook is not active in a process started before setuptools was installed).
    import setuptools

import numpy

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # numpy 1.23 still has numpy.bool, deprecated
    if not hasattr(numpy, "bool"):
        numpy.bool = bool  # MXNet 1.9.1 uses numpy.bool, removed in numpy 1.24

import mxnet

# Seeded like the book's own kernels, so reruns print the same numbers.
random.seed(0)
numpy.random.seed(0)
mxnet.random.seed(0)
print(f"Sẵn sàng (ready): Python {sys.version.split()[0]}, mxnet {mxnet.__version__},"
      f" numpy {numpy.__version__}")
"""


def _pip_args(requirements: tuple[str, ...]) -> str:
    """Requirements as quoted pip arguments."""
    return " ".join(f'"{r}"' if re.search(r"[<>=!;~ ]", r) else r for r in requirements)


def _distribution(requirement: str) -> str:
    """The distribution name of a requirement string."""
    from packaging.requirements import Requirement

    return Requirement(requirement).name


def setup_source(recipe: Recipe) -> str:
    """The source of the setup cell for a recipe."""
    install = [f"    %pip install -q {_pip_args(recipe.install)}"]
    if recipe.install_no_deps:
        install.append(f"    %pip install -q --no-deps {_pip_args(recipe.install_no_deps)}")
    names = sorted({_distribution(r) for r in recipe.require})
    source = (SETUP_TEMPLATE
              .replace("@REQUIRED@", "\n".join(f"    {r!r}," for r in recipe.require))
              .replace("@INSTALL@", "\n".join(install))
              .replace("@MODULES@", ", ".join(repr(n) for n in names)))
    return source.rstrip("\n")


# -- Markdown conversion --------------------------------------------------------------


@dataclass
class _Context:
    """What the conversion of one chapter needs to resolve references."""

    source: str  # the chapter's path, for messages
    config: BookConfig
    bibliography: dict[str, Reference]
    figures: dict[str, int] = field(default_factory=dict)  # label -> number
    sections: dict[str, str] = field(default_factory=dict)  # label -> heading text
    cited: list[str] = field(default_factory=list)

    def fail(self, line: int, message: str) -> NotebookError:
        """One clear error line with file and line."""
        return NotebookError(f"{self.source}:{line}: {message}")


def _split_explicit(target: str) -> tuple[str | None, str]:
    """``text <label>`` → (text, label); ``label`` → (None, label)."""
    if m := EXPLICIT.match(target):
        return m["text"], m["label"].strip()
    return None, target.strip()


def _numref(ctx: _Context, target: str, lang: str, line: int) -> str:
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
    raise ctx.fail(line, f"tham chiếu không xác định (unknown reference) {label!r}")


def _ref(ctx: _Context, target: str, line: int) -> str:
    """A named reference (``ref``) as its title, linked when external."""
    text, label = _split_explicit(target)
    if label in ctx.config.external_refs:
        entry = ctx.config.external_refs[label]
        return f"[{text or entry.get('title', label)}]({entry['url']})"
    if label in ctx.sections:
        return text or ctx.sections[label]
    raise ctx.fail(line, f"tham chiếu không xác định (unknown reference) {label!r}")


def _cite(ctx: _Context, keys: str, textual: bool, line: int) -> str:
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


def _roles(ctx: _Context, text: str, lang: str, first_line: int) -> str:
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


def _figure(ctx: _Context, block: Block) -> str:
    """A figure directive as a Markdown image and an italic numbered caption."""
    src, options, caption = _figure_parts(block.text)
    caption = _roles(ctx, caption, "vi", block.start)
    url = raw_url(ctx.config, _resolve(ctx.source, src))
    alt = options.get("alt", caption).replace("[", "(").replace("]", ")")
    image = f"![{alt}]({url})"
    number = ctx.figures.get(options.get("name", ""))
    if number is None:
        return f"{image}\n\n*{caption}*" if caption else image
    label = ctx.config.numref_vi.get("fig", "%s").replace("%s", str(number))
    return f"{image}\n\n*{label}: {caption}*"


def _list(text: str) -> str:
    """A list without its empty items (contributor placeholders)."""
    return "\n".join(line for line in text.split("\n") if not EMPTY_ITEM.match(line))


def _vi_block(ctx: _Context, block: Block) -> str:
    """One Vietnamese (or untouched) block as Colab Markdown; empty when dropped."""
    if block.kind in ("target", "front_matter", "comment"):
        return ""
    if block.kind == "figure" and block.text.lstrip().startswith((":::{figure}", "```{figure}")):
        return _figure(ctx, block)
    text = _list(block.text) if block.kind == "list" else block.text
    if CELL_BREAK.match(text) or not text.strip():
        return ""
    return _roles(ctx, text, "vi", block.start)


def _english(ctx: _Context, pair: Pair, figure_number: int | None) -> str:
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


def _details(ctx: _Context, english: str) -> str:
    """The English original, collapsed."""
    label = ctx.config.toggle_label
    return f'<details lang="en"><summary lang="vi">{label}</summary>\n\n{english}\n\n</details>'


def _pair(ctx: _Context, pair: Pair) -> str:
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


def _collect_labels(ctx: _Context, blocks: tuple[Block, ...]) -> None:
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


# -- the notebook ---------------------------------------------------------------------


def _cell_id(index: int, cell_type: str, source: str) -> str:
    """A stable cell id derived from the cell's position and content."""
    digest = hashlib.sha256(f"{index}\0{cell_type}\0{source}".encode()).hexdigest()
    return digest[:16]


def _is_code_cell(block: Block) -> bool:
    """Whether a fenced block is a MyST notebook code cell."""
    return block.kind == "code" and block.text.lstrip().startswith(("```{code-cell}",
                                                                     "~~~{code-cell}"))


def _intro(ctx: _Context, chapter: str) -> str:
    """The note after the title: where the notebook comes from, how to open it."""
    nb = notebook_path(chapter)
    return (
        f"> Sổ tay này được sinh tự động từ [`{chapter}`]({source_url(ctx.config, chapter)}); "
        "đừng sửa trực tiếp. "
        f"[Mở trong Colab]({colab_url(ctx.config, nb)}). "
        "Ô mã đầu tiên cài MXNet 1.9.1 và d2l khi cần (trên Colab), rồi đặt hạt giống ngẫu nhiên.\n"
        ">\n"
        f"> *Generated from `{chapter}`; do not edit. The first code cell installs MXNet 1.9.1"
        " and d2l when needed (on Colab).*"
    )


def _markdown_cells(ctx: _Context, text: str, chapter: str, code_cells: list[Any]) -> list[Any]:
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
            cells.append(nbformat.v4.new_markdown_cell(source))
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


def _setup_cell(recipe: Recipe) -> Any:
    """The first code cell: install what is missing, alias numpy.bool, seed."""
    # Colab shows a "#@title" cell in form view: the title, code one click away.
    return nbformat.v4.new_code_cell(setup_source(recipe),
                                     metadata={"cellView": "form", "tags": [SETUP_TAG]})


def build_notebook(text: str, chapter: str, config: BookConfig,
                   bibliography: dict[str, Reference], recipe: Recipe) -> Any:
    """A chapter's MyST text as a Colab-ready notebook (``chapter``: its book-relative path)."""
    ctx = _Context(chapter, config, bibliography)
    import jupytext  # only here: the book build imports this module for its button

    source_nb = jupytext.reads(text, fmt="md:myst")
    code_cells = [
        nbformat.v4.new_code_cell(c.source, metadata=dict(c.metadata))
        for c in source_nb.cells if c.cell_type == "code"
    ]
    cells = _markdown_cells(ctx, text, chapter, code_cells)
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(min(first_code, 1 if cells and cells[0].cell_type == "markdown" else 0),
                 _setup_cell(recipe))
    for index, cell in enumerate(cells):
        cell["id"] = _cell_id(index, cell.cell_type, cell.source)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "colab": {"name": posixpath.basename(notebook_path(chapter)), "provenance": [],
                  "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (m := MYST_LEFTOVER.search(cell.source)):
            raise NotebookError(f"{chapter}: MyST còn sót trong sổ tay (MyST left) {m.group(0)!r}")
    return nb


def render(nb: Any) -> str:
    """The notebook's file content: validated, keys sorted, one trailing newline."""
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


# -- the project: files on disk ----------------------------------------------------------


def generate(root: Path, chapters: list[str] | None = None) -> dict[str, str]:
    """Every configured chapter's notebook text, keyed by its book-relative path."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    config = load_book_config((root / "_config.yml").read_text(encoding="utf-8"))
    recipe = load_recipe(pyproject)
    bib_text = "\n".join((root / b).read_text(encoding="utf-8") for b in config.bibfiles)
    bibliography = load_bibliography(bib_text) if bib_text.strip() else {}
    if chapters is None:
        chapters = pyproject.get("tool", {}).get("d2lvi", {}).get("chapters", [])
    out = {}
    for chapter in chapters:
        text = (root / chapter).read_text(encoding="utf-8")
        nb = build_notebook(text, chapter, config, bibliography, recipe)
        out[notebook_path(chapter)] = render(nb)
    return out


def main(argv: list[str]) -> int:
    """``python -m d2lvi notebooks [--check] [chapter ...]``: write or check the notebooks."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi notebooks",
                                     description="Generate the Colab notebooks.")
    parser.add_argument("chapters", nargs="*", help="chapters (default: [tool.d2lvi] chapters)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a committed notebook is out of date")
    parser.add_argument("--root", default=".", help="the book's root directory")
    ns = parser.parse_args(argv)
    root = Path(ns.root)
    try:
        notebooks = generate(root, ns.chapters or None)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2
    status = 0
    for rel, text in notebooks.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if ns.check:
            print(f"{rel}: sổ tay lỗi thời so với chương (notebook out of date);"
                  " chạy `make notebooks`", file=sys.stderr)
            status = 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"đã ghi (written) {rel}")
    return status
