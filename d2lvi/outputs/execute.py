"""Run a MyST chapter's code cells in a fresh, seeded Jupyter kernel."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat

from d2lvi.outputs.seed import use_seeded_kernels


def read_chapter(path: Path) -> nbformat.NotebookNode:
    """Read a MyST Markdown chapter as a notebook."""
    import jupytext  # imported on use: the book build reads chapters with MyST-NB instead

    return jupytext.read(path)


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300,
            interrupt_on_timeout: bool = False) -> nbformat.NotebookNode:
    """Execute every cell in a fresh seeded kernel; errors (and, when asked, cells interrupted
    after ``timeout`` seconds) are recorded as outputs."""
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="d2lvi-ipython-") as tmp:
        previous = os.environ.get("IPYTHONDIR")
        use_seeded_kernels(Path(tmp))
        try:
            client = NotebookClient(
                nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                interrupt_on_timeout=interrupt_on_timeout,
                resources={"metadata": {"path": str(cwd)}},
            )
            client.execute()
        finally:
            if previous is None:
                os.environ.pop("IPYTHONDIR", None)
            else:
                os.environ["IPYTHONDIR"] = previous
    return nb
