"""The package's tree is its architecture: layers import only downward, Sphinx only in site."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "d2lvi"
# Lower layers first; a module may import its own subpackage and any lower layer.
LAYERS = {
    "config": 0,
    "source": 1,
    "translation": 2, "outputs": 2, "figures": 2,
    "export": 3,
    "site": 4, "project": 4,
    "build": 5,
    "cli": 6, "__main__": 7,
}
SPHINX = {"sphinx", "docutils"}
MAX_LINES = 400


def modules() -> list[Path]:
    """Every Python module of the package (the kernel start-up file is not one)."""
    return sorted(p for p in PACKAGE.rglob("*.py") if "kernel" not in p.parts)


def unit(path: Path) -> str:
    """The layer unit of a module: its subpackage, or its own name at the top."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported(path: Path) -> set[str]:
    """Dotted names of every import in a module, lazy imports inside functions included."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names if node.module == "d2lvi"}
    return out


def d2lvi_unit(name: str) -> str | None:
    """The layer unit an imported ``d2lvi...`` name belongs to."""
    parts = name.split(".")
    return parts[1] if parts[0] == "d2lvi" and len(parts) > 1 else None


def test_every_module_is_in_a_known_layer() -> None:
    assert {unit(p) for p in modules()} - {"__init__"} <= set(LAYERS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_its_own_subpackage_or_lower_layers(path: Path) -> None:
    mine = unit(path)
    if mine == "__init__":
        return
    upward = sorted(name for name in imported(path)
                    if (other := d2lvi_unit(name)) and other != mine
                    and LAYERS[other] >= LAYERS[mine])
    assert not upward, f"{path.name} ({mine}) imports sideways or upward: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_site_layer_imports_sphinx_or_docutils(path: Path) -> None:
    found = sorted(n for n in imported(path) if n.split(".")[0] in SPHINX)
    assert unit(path) == "site" or not found, f"{path} imports {found}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_fits_in_a_few_screens(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").split("\n")) <= MAX_LINES


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "x.py"
    sneaky.write_text("def f():\n    from d2lvi.site.render import rewrite\n")
    assert "d2lvi.site.render" in imported(sneaky)
    assert LAYERS[d2lvi_unit("d2lvi.site.render")] > LAYERS["translation"]
