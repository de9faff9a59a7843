"""Sphinx extension: Sphinx reads and writes pages in parallel, as ``sphinx-build -j`` does.

``jupyter-book build`` has no ``-j`` and always builds with one process. With
``d2lvi_parallel_jobs`` (``_config.yml``; 0: one per core, 1: serial) the build gets that
many processes, used by Sphinx where it can: reading when more than five pages are to be
read, writing pages. Sphinx itself falls back to one process when an extension of the
build is not marked safe for it; the book's own extensions are (their per-page state is
merged from the reading processes, e.g. ``d2lvi.site.incremental``'s collector).
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


# Extensions that do not say whether they are safe for parallel reading, though they are:
# Sphinx then reads serially and warns (an error with -W). sphinx_multitoc_numbering (set up
# by sphinx_external_toc in every Jupyter Book) only replaces TocTreeCollector's section
# numbering, which runs in the main process after reading; it keeps no state of its own.
SAFE_UNDECLARED = ("sphinx_multitoc_numbering",)


def _set_jobs(app: Sphinx, config: Config) -> None:
    """``config-inited``: the number of processes, unless the command line chose one."""
    if app.parallel <= 1:  # `sphinx-build -j N` wins
        jobs = int(config.d2lvi_parallel_jobs)
        app.parallel = cores() if jobs <= 0 else jobs
    for name in SAFE_UNDECLARED:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("d2lvi_parallel_jobs", 0, "", [int])
    app.connect("config-inited", _set_jobs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
