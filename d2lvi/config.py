"""The project's configuration: ``[tool.d2lvi]`` of pyproject.toml, and the book's sections.

The one module every layer may import: it reads configuration and imports nothing of d2lvi.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

TOC = "_toc.yml"
# The d2l convention: a book's sections live in chapter folders (chapter_cnn/pooling.md).
CHAPTER_PREFIX = "chapter_"


def project_config(root: Path = Path(".")) -> dict:
    """The ``[tool.d2lvi]`` table of ``root``'s pyproject.toml (empty when absent)."""
    path = root / "pyproject.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("d2lvi", {})


def toc_files(toc: dict) -> list[str]:
    """Every file of a Jupyter Book table of contents, in reading order (without suffix)."""
    out: list[str] = [toc["root"]] if toc.get("root") else []

    def walk(entries: list) -> None:
        for entry in entries or []:
            if not isinstance(entry, dict):
                continue
            if "file" in entry:
                out.append(str(entry["file"]))
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    for key in ("parts", "chapters", "sections"):
        walk(toc.get(key, []))
    return out


def book_chapters(root: Path = Path(".")) -> list[Path]:
    """The book's translated sections: ``[tool.d2lvi] chapters`` if set, else every
    ``chapter_*/`` file of ``_toc.yml`` (paths relative to ``root``, ``.md`` added)."""
    configured = project_config(root).get("chapters")
    if configured is not None:
        return [Path(p) for p in configured]
    path = root / TOC
    if not path.exists():
        return []
    toc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Path(f if f.endswith(".md") else f + ".md") for f in toc_files(toc)
            if f.startswith(CHAPTER_PREFIX)]


def chapters(args: list[str]) -> list[Path]:
    """The chapters named on the command line, else the book's."""
    if args:
        return [Path(a) for a in args]
    return book_chapters()


def pinned_upstream(chapter: Path, config: dict | None = None) -> Path:
    """A section's pinned upstream English: ``<upstream>/<chapter folder>/<file name>``."""
    config = project_config() if config is None else config
    base = Path(config.get("upstream", "i18n/upstream"))
    return base / chapter.parent.name / chapter.name if chapter.parent.name else base / chapter.name
