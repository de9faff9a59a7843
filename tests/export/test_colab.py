"""The committed notebook on a Colab-like runtime: Python 3.12, numpy 2.x, no MXNet, no d2l.

A fresh virtual environment is made from the package registry (about 30 s), then the
notebook runs in it as a learner runs it on Colab, setup cell included:

1. a fresh runtime: the setup cell installs the recipe, then every chapter cell runs;
2. a runtime that had numpy loaded before the install (Colab does): the setup cell says to
   restart the session, and stops;
3. after that restart, Run all: nothing is reinstalled, every chapter cell runs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from d2lvi.export.setup_cell import SETUP_TAG
from d2lvi.outputs.compare import compare
from d2lvi.outputs.gate import Chapter, stored_cells
from d2lvi.outputs.store import cells_from_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "chapter_cnn" / "transposed-conv.ipynb"
STORED = ROOT / "chapter_cnn" / "transposed-conv.outputs.txt"
# What Colab has before the notebook runs: numpy 2, pandas 3, matplotlib with contourpy 1.4.
COLAB_PYTHON = "3.12"
COLAB_PREINSTALLED = ("numpy==2.5.5", "pandas==3.1.1", "matplotlib==3.11.2", "requests==2.34.2",
                      "ipykernel==7.4.0")
KERNEL = "d2lvi-colab-py312"
READY = "Sẵn sàng (ready): Python 3.12"


@dataclass(frozen=True)
class Runs:
    """What happened in the Colab-like runtime, in the learner's order."""

    before: dict  # versions before the notebook ran (None: not installed)
    fresh: nbformat.NotebookNode  # the notebook, top to bottom, in a fresh runtime
    preloaded: nbformat.NotebookNode  # numpy imported, then the setup cell (after a re-upgrade)
    restarted: nbformat.NotebookNode  # the notebook again, after the restart


def python312() -> str:
    """A working Python 3.12 (pyenv's, else on PATH); fail with a clear message."""
    candidates = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        candidates += sorted(Path(root).glob(f"versions/{COLAB_PYTHON}.*/bin/python{COLAB_PYTHON}"))
    candidates.append(shutil.which(f"python{COLAB_PYTHON}"))  # may be a pyenv shim that fails
    check = "import sys; print('%d.%d' % sys.version_info[:2])"
    for candidate in filter(None, candidates):
        probe = subprocess.run([str(candidate), "-c", check], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == COLAB_PYTHON:
            return str(candidate)
    pytest.fail(f"Không tìm thấy Python {COLAB_PYTHON} (pyenv hoặc python{COLAB_PYTHON}): "
                "cần nó để thử sổ tay như trên Colab (needed for the Colab test)")


def run(*args: str | Path) -> str:
    """Run a command; its failure fails the test with the command's output."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}{result.stderr}"
    return result.stdout


def versions(python: Path) -> dict:
    """Versions of the recipe's packages in an environment (None when not installed)."""
    code = (
        "import importlib.metadata as m, json\n"
        "def v(n):\n"
        "    try:\n        return m.version(n)\n"
        "    except m.PackageNotFoundError:\n        return None\n"
        "print(json.dumps({n: v(n) for n in ('numpy', 'pandas', 'mxnet', 'd2l')}))"
    )
    return json.loads(run(python, "-c", code))


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Execute every cell in a new kernel of the Colab-like runtime; errors become outputs."""
    NotebookClient(nb, kernel_name=KERNEL, timeout=900, allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Make the runtime, then run the notebook in it the three ways a learner meets."""
    root = tmp_path_factory.mktemp("colab")
    venv = root / "venv"
    run(python312(), "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", *COLAB_PREINSTALLED)
    run(python, "-m", "ipykernel", "install", "--prefix", root / "jupyter", "--name", KERNEL)
    (root / "ipython").mkdir()
    committed = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root / "jupyter" / "share" / "jupyter"))
        mp.setenv("IPYTHONDIR", str(root / "ipython"))  # no startup file: nothing seeds or loads
        mp.delenv("PYTHONPATH", raising=False)
        before = versions(python)
        fresh = execute(nbformat.from_dict(committed), root)
        # Colab again: numpy 2 installed and already imported when the setup cell runs.
        run(python, "-m", "pip", "install", "--quiet", COLAB_PREINSTALLED[0])
        preload = nbformat.v4.new_code_cell("import numpy\nnumpy.__version__")
        preloaded = execute(nbformat.v4.new_notebook(cells=[preload, setup_cell(committed)]),
                            root)
        restarted = execute(nbformat.from_dict(committed), root)
    return Runs(before, fresh, preloaded, restarted)


def setup_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook's setup cell (its first code cell)."""
    cell = next(c for c in nb.cells if c.cell_type == "code")
    assert SETUP_TAG in cell.metadata.get("tags", [])
    return cell


def printed(cell: nbformat.NotebookNode) -> str:
    """Everything a cell printed."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(cell: nbformat.NotebookNode) -> list[str]:
    """The errors a cell raised."""
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


def divergences_from_stored(nb: nbformat.NotebookNode) -> str:
    """The chapter cells whose outputs differ from the stored ones (setup cell dropped)."""
    chapter = nbformat.from_dict(nb)
    chapter.cells = [c for c in nb.cells if SETUP_TAG not in c.metadata.get("tags", [])]
    stored_chapter = Chapter(STORED.with_name("transposed-conv.md"), STORED, Path("unused"))
    stored = stored_cells(stored_chapter)  # figure files read too
    actual = cells_from_notebook(chapter, stored_chapter.figures.name)
    assert len(actual) == 11
    return "\n".join(d.diff for d in compare(stored, actual))


def test_runtime_starts_like_colab_with_numpy_2_and_no_mxnet(runs):
    assert runs.before["numpy"].startswith("2.")
    assert runs.before["pandas"].startswith("3.")
    assert runs.before["mxnet"] is None and runs.before["d2l"] is None


def test_setup_cell_installs_the_recipe_in_a_fresh_runtime(runs):
    cell = setup_cell(runs.fresh)
    assert errors(cell) == []
    out = printed(cell)
    assert "restart the kernel to use updated packages" in out  # %pip ran
    assert re.search(r"Sẵn sàng \(ready\): Python 3\.12\.\d+, mxnet 1\.9\.1, numpy 1\.26\.4\n",
                     out), out


def test_chapter_cells_give_the_stored_outputs_after_the_setup_cell(runs):
    assert divergences_from_stored(runs.fresh) == ""


def test_setup_cell_asks_for_a_restart_when_numpy_was_loaded_before_the_install(runs):
    preload, cell = runs.preloaded.cells
    assert preload.outputs[0]["data"]["text/plain"].startswith("'2.")
    out = printed(cell)
    assert "Cần khởi động lại phiên: numpy 2." in out and "installed 1.26.4" in out
    assert "Runtime → Restart session" in out and "Runtime → Run all" in out
    assert [e.split(":")[0] for e in errors(cell)] == ["RuntimeError"]
    assert READY not in out


def test_after_the_restart_run_all_installs_nothing_and_gives_the_stored_outputs(runs):
    cell = setup_cell(runs.restarted)
    assert errors(cell) == []
    assert printed(cell).startswith(READY) and printed(cell).count("\n") == 1
    assert divergences_from_stored(runs.restarted) == ""
