"""Kernels forked from a fork server: the same outputs as new kernels, or no fork at all."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest

from d2lvi.outputs.execute import read_chapter
from d2lvi.outputs.forks import ForkServerError, KernelForks, forkable
from d2lvi.outputs.kernels import Job, Settings, execute_all
from d2lvi.outputs.seed import use_seeded_kernels
from d2lvi.outputs.store import cells_from_notebook

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapter_cnn" / "transposed-conv.md"


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels with the book's startup file, as in a build."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    use_seeded_kernels(tmp_path / "ipython")


def code(*sources: str) -> nbformat.NotebookNode:
    """A notebook of code cells for the default kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def run(nb: nbformat.NotebookNode, cwd: Path, preload: tuple[str, ...], copies: int = 2
        ) -> list:
    """Execute ``copies`` copies of a notebook; with a preload, their kernels are forked."""
    jobs = [Job(f"s{i}", copy.deepcopy(nb), cwd) for i in range(copies)]
    return execute_all(jobs, Settings(workers=2, preload=preload))


def test_the_chapter_forked_after_preloading_mxnet_gives_the_new_kernels_outputs(
        seeded: None) -> None:
    nb = read_chapter(CHAPTER)
    forked = run(nb, CHAPTER.parent, ("mxnet",))
    fresh = run(nb, CHAPTER.parent, ())
    assert all(o.ok and o.forked for o in forked), [o.error for o in forked]
    assert all(o.ok and not o.forked for o in fresh)
    texts = {str(cells_from_notebook(o.nb)) for o in forked + fresh}
    assert len(texts) == 1


def test_a_forked_kernel_has_a_new_kernels_directory_path_arguments_and_threads(
        seeded: None, tmp_path: Path) -> None:
    work = tmp_path / "section"
    work.mkdir()
    (work / "local_helper.py").write_text("VALUE = 'từ thư mục của mục'\n")
    nb = code("import os, sys; os.getcwd()", "sys.path", "sys.argv[1:2]",
              "os.environ['OMP_NUM_THREADS']", "import local_helper; local_helper.VALUE",
              "'json' in sys.modules and get_ipython().execution_count")
    forked = run(nb, work, ("json",))
    fresh = run(nb, work, ())
    assert all(o.forked for o in forked) and not any(o.forked for o in fresh)
    outputs = [str(cells_from_notebook(o.nb)) for o in forked + fresh]
    assert len(set(outputs)) == 1, outputs[0] + "\n---\n" + outputs[-1]
    assert "'1'" in outputs[0] and "từ thư mục của mục" in outputs[0]


def test_a_d2l_plot_in_a_kernel_forked_after_preloading_mxnet_is_drawn_as_in_a_new_kernel(
        seeded: None, tmp_path: Path) -> None:
    # d2l (and its pyplot) imported by the section itself, as a new kernel would.
    nb = code("from d2l import mxnet as d2l\nfrom mxnet import np, npx\nnpx.set_np()",
              "x = np.arange(0, 3, 0.1)\nd2l.plot(x, [x ** 2], 'x', 'f(x)')")
    forked = run(nb, tmp_path, ("mxnet",))
    fresh = run(nb, tmp_path, ())
    assert all(o.ok and o.forked for o in forked), [o.error for o in forked]
    for outcome in forked + fresh:
        [shown] = outcome.nb.cells[1].outputs
        assert shown.output_type == "display_data", shown
        assert shown.data["image/svg+xml"].lstrip().startswith("<?xml")
        assert shown.data["text/plain"] == "<Figure size 350x250 with 1 Axes>"


@pytest.mark.parametrize("preload", [["matplotlib.pyplot"], ["d2l.mxnet"]])
def test_a_preload_that_imports_pyplot_before_ipython_is_refused(preload: list[str]) -> None:
    # Imported before the kernel's IPython exists, pyplot's IPython hook fails at the first
    # plot (d2l.plot: ImportError backend2gui); d2l.mxnet imports pyplot.
    with pytest.raises(ForkServerError, match=re.escape(
            "matplotlib.pyplot, matplotlib_inline.backend_inline phải được nạp sau IPython")
            if preload == ["d2l.mxnet"] else re.escape("matplotlib.pyplot phải được nạp sau")):
        KernelForks(preload)


@pytest.mark.parametrize("module, why", [
    ("print('xin chào')", "in ra khi import (printed on import): xin chào"),
    ("import warnings; warnings.warn('cũ rồi')", "cảnh báo khi import (warned on import): "
                                                 "UserWarning: cũ rồi"),
    ("import os; os.write(2, b'C speaking\\n')", "in ra khi import (printed on import): "
                                                 "C speaking"),
])
def test_a_preload_that_prints_or_warns_is_refused_and_kernels_start_new(
        seeded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str,
        why: str) -> None:
    (tmp_path / "noisy_module.py").write_text(module + "\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(ForkServerError, match=re.escape(why)):
        KernelForks(["noisy_module"])
    notes: list[str] = []
    outcomes = execute_all([Job(f"s{i}", code("1 + 1"), tmp_path) for i in range(2)],
                           Settings(preload=("noisy_module",), log=notes.append))
    assert all(o.ok and not o.forked for o in outcomes)
    assert notes == [f"kernel mới cho từng mục, không fork (kernels not forked): {why}"]


def test_only_this_interpreters_ipykernel_is_forked() -> None:
    assert forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    assert forkable(["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    assert not forkable(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "x"])
    assert not forkable([sys.executable, "-c", "...", "{connection_file}"])
    assert not forkable(["R", "--slave", "-e", "IRkernel::main()"])
