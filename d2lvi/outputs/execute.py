"""Run a MyST chapter's code cells in a fresh, seeded Jupyter kernel."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import nbformat

from d2lvi.config import project_config
from d2lvi.outputs.kernels import (
    ExecutionError,
    Job,
    KernelStartError,
    execute_all,
    settings_from,
)
from d2lvi.outputs.seed import use_seeded_kernels


def read_chapter(path: Path) -> nbformat.NotebookNode:
    """Read a MyST Markdown chapter as a notebook."""
    import jupytext  # imported on use: the book build reads chapters with MyST-NB instead

    return jupytext.read(path)


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300,
            name: str | None = None, interrupt_on_timeout: bool = False
            ) -> nbformat.NotebookNode:
    """Execute every cell in a fresh seeded kernel; errors are recorded as outputs (and, with
    ``interrupt_on_timeout``, a cell running past ``timeout`` is interrupted and recorded).

    The kernel start is retried as in the book build (``d2lvi.outputs.kernels``); a kernel
    that never starts, or a cell that times out, raises ``ExecutionError`` (one line naming
    ``name``).
    """
    with tempfile.TemporaryDirectory(prefix="d2lvi-ipython-") as tmp:
        previous = os.environ.get("IPYTHONDIR")
        use_seeded_kernels(Path(tmp))
        try:
            job = Job(name or str(cwd), nb, cwd, timeout, allow_errors=True,
                      kernel_name="python3")
            settings = settings_from(project_config())
            if interrupt_on_timeout:
                settings = replace(settings, extra={**settings.extra,
                                                    "interrupt_on_timeout": True})
            [outcome] = execute_all([job], settings)
        finally:
            if previous is None:
                os.environ.pop("IPYTHONDIR", None)
            else:
                os.environ["IPYTHONDIR"] = previous
    if outcome.start_failed:
        raise KernelStartError(outcome.error)
    if not outcome.ok:  # with errors allowed, only a cell that timed out stops a run
        raise ExecutionError(f"{job.name}: {outcome.error}")
    return outcome.nb
