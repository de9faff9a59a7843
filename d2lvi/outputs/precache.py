"""The execution cache filled ahead of the book build: the notebooks it lacks, in parallel.

With ``execute_notebooks: cache``, MyST-NB executes every notebook that has no jupyter-cache
record while Sphinx reads, one after the other. Executed here first, all at once (one
kernel each, ``d2lvi.outputs.kernels``), and cached exactly as MyST-NB caches them (the
same record and project entry), MyST-NB's read then finds each one cached. A notebook that
fails is not cached, as in MyST-NB; the outcome says which cell failed and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from d2lvi.outputs.kernels import Job, Outcome, Settings, execute_all


@dataclass(frozen=True)
class Section:
    """A notebook of the book, as the book build reads it."""

    path: Path  # the source file (absolute: the cache's project URI)
    nb: nbformat.NotebookNode
    read_data: dict[str, Any] | None  # the reader jupyter-cache records (None: .ipynb)
    cwd: Path  # where its kernel runs
    timeout: int | None = 300
    allow_errors: bool = False

    def job(self, name: str) -> Job:
        """The kernel job executing this section (on a copy of its notebook)."""
        return Job(name, nbformat.from_dict(self.nb), self.cwd, self.timeout, self.allow_errors)


def open_cache(path: Path) -> Any:
    """The jupyter-cache at ``path`` (created when missing)."""
    from jupyter_cache import get_cache

    return get_cache(str(path))


def is_cached(cache: Any, nb: nbformat.NotebookNode) -> bool:
    """Whether the cache holds an execution of this notebook's code."""
    try:
        cache.match_cache_notebook(nb)
    except KeyError:
        return False
    return True


def missing(cache: Any, sections: list[Section]) -> list[Section]:
    """The sections the cache has no execution of (a section listed twice counts once)."""
    seen: set[Path] = set()
    found = []
    for section in sections:
        if section.path not in seen and not is_cached(cache, section.nb):
            found.append(section)
        seen.add(section.path)
    return found


def fill(cache: Any, sections: list[Section], settings: Settings,
         name: Callable[[Section], str] = lambda s: str(s.path),
         on_done: Callable[[Section, Outcome], None] | None = None) -> list[Outcome]:
    """Execute ``sections`` in parallel and cache each success as MyST-NB would."""
    by_job: dict[int, Section] = {}
    jobs = []
    for section in sections:
        job = section.job(name(section))
        by_job[id(job)] = section
        jobs.append(job)

    def done(outcome: Outcome) -> None:
        """Cache a finished section at once (a later failure loses nothing)."""
        section = by_job[id(outcome.job)]
        store(cache, section, outcome)
        if on_done is not None:
            on_done(section, outcome)

    return execute_all(jobs, settings, done)


def store(cache: Any, section: Section, outcome: Outcome) -> None:
    """Record an outcome in the cache: the executed notebook, or the failure's traceback."""
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    if section.read_data is not None:
        record = cache.add_nb_to_project(str(section.path), read_data=section.read_data)
    else:
        record = cache.add_nb_to_project(str(section.path))
    NbProjectRecord.remove_tracebacks([record.pk], cache.db)
    if outcome.ok:
        cache.cache_notebook_bundle(
            CacheBundleIn(outcome.nb, record.uri, data={"execution_seconds": outcome.seconds}),
            check_validity=False, overwrite=True)
    else:
        NbProjectRecord.set_traceback(record.uri, outcome.traceback or outcome.error, cache.db)
