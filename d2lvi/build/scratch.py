"""Scratch copies of the book, for tests and the benchmark to build without touching the tree."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a copy leaves out: environments, builds, caches, and the npm install (linked instead:
# it is big and only read).
NOT_COPIED = (".git", ".venv", ".venv-*", "_build", "node_modules", ".pytest_cache",
              ".ruff_cache", ".hypothesis", "__pycache__", "*.egg-info")


def make_command(*targets: str, root: Path = ROOT) -> list[str]:
    """``make`` for a copy: the project's venv and npm packages, never re-installed.

    (-o: `npm ci` through the linked node_modules would empty the project's own.)
    """
    venv = root / ".venv"
    return ["make", "-o", f"{venv}/.stamp", "-o", "node_modules/.package-lock.json",
            "-o", "assets", *targets, f"VENV={venv}"]


def copy_book(dest: Path, root: Path = ROOT) -> Path:
    """Copy the working tree to ``dest`` (times kept, so make sees nothing new); return it."""
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(*NOT_COPIED), dirs_exist_ok=True)
    if (root / "node_modules").is_dir():
        (dest / "node_modules").symlink_to(root / "node_modules", target_is_directory=True)
    return dest
