"""The notebooks' setup cell: installs what Colab lacks (MXNet 1.9.1 wants numpy < 2) and
does nothing where everything is already installed."""

from __future__ import annotations

import re

from d2lvi.export.config import Recipe

SETUP_TAG = "d2lvi-setup"


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
