"""Where the Colab and repository buttons point: _config.yml, else the GitHub origin, else none."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from d2lvi.export.config import github_repository
from d2lvi.site.colab import choose_repository, links_html


@pytest.mark.parametrize("remote, url", [
    ("https://github.com/d2l-vi/book.git", "https://github.com/d2l-vi/book"),
    ("https://github.com/d2l-vi/book", "https://github.com/d2l-vi/book"),
    ("git@github.com:d2l-vi/book.git", "https://github.com/d2l-vi/book"),
    ("ssh://git@github.com/d2l-vi/book.git", "https://github.com/d2l-vi/book"),
    ("https://gitlab.com/d2l-vi/book.git", ""),
    ("/work/main", ""),
    ("", ""),
])
def test_a_github_remote_gives_its_repository_and_any_other_none(remote: str, url: str) -> None:
    assert github_repository(remote) == url


def checkout(folder: Path, origin: str | None) -> Path:
    """A git checkout with the given origin remote (or none)."""
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if origin:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", origin], check=True)
    return folder


def choose(folder: Path, configured: str) -> dict:
    """The theme options after ``choose_repository`` for a book in ``folder``."""
    config = SimpleNamespace(html_theme_options={"repository_url": configured,
                                                 "use_repository_button": False})
    choose_repository(SimpleNamespace(srcdir=str(folder)), config)
    return config.html_theme_options


def test_the_origin_remote_on_github_is_the_repository(tmp_path: Path) -> None:
    options = choose(checkout(tmp_path, "git@github.com:someone/d2l-vi.git"), "")
    assert options == {"repository_url": "https://github.com/someone/d2l-vi",
                       "use_repository_button": True}


def test_config_overrides_the_origin(tmp_path: Path) -> None:
    options = choose(checkout(tmp_path, "https://github.com/fork/x.git"),
                     "https://github.com/d2l-vi/book")
    assert options["repository_url"] == "https://github.com/d2l-vi/book"


def test_no_github_origin_and_no_config_means_no_repository_button(tmp_path: Path) -> None:
    options = choose(checkout(tmp_path, "/srv/git/book.git"), "")
    assert options == {"repository_url": "", "use_repository_button": False}


def test_without_a_repository_the_download_comes_with_a_hint_and_no_colab_button() -> None:
    html = links_html("", "../_downloads/x.ipynb", "Mở trong Colab", "Tải sổ tay (.ipynb)",
                      "Mở trong Colab: tải sổ tay về, rồi chọn File → Upload notebook.")
    assert 'class="d2lvi-colab"' not in html and 'class="d2lvi-download-ipynb"' in html
    assert '<span class="d2lvi-colab-hint">Mở trong Colab: tải sổ tay về' in html
    with_repo = links_html("https://colab.research.google.com/github/a/b/blob/main/x.ipynb",
                           "x.ipynb", "Mở trong Colab", "Tải", "hint")
    assert 'class="d2lvi-colab"' in with_repo and "hint" not in with_repo
