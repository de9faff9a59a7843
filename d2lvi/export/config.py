"""What the notebook export needs from the project: ``_config.yml``, the setup recipe of
pyproject.toml, the bibliography, and the Colab/GitHub addresses of a notebook."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

NOTEBOOKS_DIR = "notebooks"


COLAB = "https://colab.research.google.com/github"


RAW = "https://raw.githubusercontent.com"


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
    # Where a label that no section of the book defines goes ("" = such a label is an error).
    external_fallback_url: str = ""
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
    entry: object = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        """The entry formatted as one line of Markdown (pybtex's plain style)."""
        return _formatted(self.entry)


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
        external_fallback_url=str(sphinx.get("d2lvi_external_fallback_url", "") or ""),
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
    """Parse BibTeX into author-year citation parts; each entry is formatted when used."""
    from pybtex.database import parse_string

    data = parse_string(text, "bibtex")
    refs = {}
    for key, entry in data.entries.items():
        names = [str(p.rich_last_names[0]) for p in entry.persons.get("author", [])]
        if len(names) > 2:
            authors = f"{names[0]} et al."
        else:
            authors = " & ".join(names)
        refs[key] = Reference(authors, entry.fields.get("year", "n.d."), entry)
    return refs


def _formatted(entry) -> str:
    """One entry in pybtex's plain style; title, venue and year when a field it needs is missing."""
    from pybtex.style.formatting.plain import Style
    from pybtex.style.template import FieldIsMissing

    # d2l.bib has an entry or two without a field the plain style requires (a book without
    # publisher): formatting only the cited entries, one at a time, keeps the others harmless.
    try:
        rendered = Style().format_entry(entry.key, entry).text.render_as("markdown")
    except FieldIsMissing:
        fields = entry.fields
        venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher", "")
        parts = [fields.get("title", entry.key), venue, fields.get("year", "")]
        rendered = ". ".join(p.strip("{}") for p in parts if p) + "."
    return " ".join(rendered.split())


def github_repository(remote: str) -> str:
    """The ``https://github.com/owner/repo`` of a git remote URL (https or ssh form), or "" when
    the remote is not on GitHub."""
    m = re.match(r"^(?:https?://(?:[^@/]+@)?github\.com/|(?:ssh://)?git@github\.com[:/])"
                 r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$", remote.strip())
    return f"https://github.com/{m['owner']}/{m['repo']}" if m else ""


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
