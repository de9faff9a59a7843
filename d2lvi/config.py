"""The project's configuration: the ``[tool.d2lvi]`` table of pyproject.toml.

The one module every layer may import: it reads configuration and imports nothing of d2lvi.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_CHAPTER = Path("chapter_cnn/transposed-conv.md")


def project_config(root: Path = Path(".")) -> dict:
    """The ``[tool.d2lvi]`` table of ``root``'s pyproject.toml (empty when absent)."""
    path = root / "pyproject.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("d2lvi", {})


def chapters(args: list[str]) -> list[Path]:
    """The chapters named on the command line, else those configured."""
    if args:
        return [Path(a) for a in args]
    return [Path(p) for p in project_config().get("chapters", [str(DEFAULT_CHAPTER)])]
