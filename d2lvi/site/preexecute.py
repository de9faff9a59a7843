"""Sphinx extension: the notebooks Sphinx is about to read are executed first, in parallel.

At ``env-before-read-docs`` (Sphinx knows which documents it will read, and has not read
any) every notebook among them that the execution cache lacks is executed, one fresh kernel
per section, as many at once as there are cores (``d2lvi.outputs.precache``), and cached as
MyST-NB would cache it: MyST-NB's serial read then takes every notebook from the cache.
Notebooks are read with MyST-NB's own reader and settings (kernel aliases, per-notebook
overrides, excluded patterns), so the cache keys are the ones MyST-NB looks up; a notebook
this step cannot prepare is simply left to MyST-NB. Kernel settings come from
``[tool.d2lvi]`` of pyproject.toml (``execution_workers``, ``kernel_start_timeout``,
``kernel_start_attempts``).

A failing cell stops the build with one located line per failing section, nothing cached,
as ``nb_execution_raise_on_error`` asks (``python -m d2lvi build`` prints no traceback
after those lines); without that option the failures are left to MyST-NB, which reports
them its own way.
"""

from __future__ import annotations

import re
import time
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxError
from sphinx.util import logging

from d2lvi.config import project_config
from d2lvi.outputs import precache
from d2lvi.outputs.kernels import Interrupted, Outcome, settings_from

logger = logging.getLogger(__name__)


class CellExecutionFailedError(SphinxError):
    """Cells of the book raised while it was built (each reported on its own line above)."""

    category = "Lỗi thực thi ô mã (cell execution failed)"


def section_of(env: BuildEnvironment, docname: str) -> precache.Section | None:
    """The document as MyST-NB would execute it, or None if MyST-NB would not (or cannot)."""
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    nb_config = env.mystnb_config
    path = Path(env.doc2path(docname))
    try:
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
        nb = reader.read(text) if reader is not None else None
    except Exception:  # noqa: BLE001 - MyST-NB reads it again and reports the problem
        return None
    if nb is None:
        return None
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    for pattern, alias in nb_config.kernel_rgx_aliases.items():
        if kernel is not None and re.fullmatch(pattern, kernel):
            nb.metadata["kernelspec"]["name"] = alias
            break
    if nb_config.metadata_key in nb.metadata:
        overrides = nb_node_to_dict(nb.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        try:
            nb_config = nb_config.copy(**overrides)
        except Exception:  # noqa: BLE001 - MyST-NB warns about it when it reads the page
            return None
    posix = PurePosixPath(path.as_posix())
    if (nb_config.execution_mode != "cache" or nb_config.execution_in_temp
            or any(posix.match(p) for p in nb_config.execution_excludepatterns)):
        return None
    timeout, allow_errors = nb_config.execution_timeout, nb_config.execution_allow_errors
    execution = nb.metadata.get("execution", {})  # jupyter-cache's per-notebook override
    timeout = execution.get("timeout", timeout)
    allow_errors = execution.get("allow_errors", allow_errors)
    return precache.Section(path.resolve(), nb, reader.read_fmt, path.parent.resolve(),
                            timeout, allow_errors)


def cell_line(section: precache.Section, index: int | None) -> int:
    """The source line of a notebook cell (1 when unknown)."""
    source_map = section.nb.metadata.get("source_map") or []
    return int(source_map[index]) + 1 if index is not None and index < len(source_map) else 1


def pre_execute(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: execute the uncached notebooks among ``docnames``."""
    if getattr(env, "mystnb_config", None) is None or env.mystnb_config.execution_mode != "cache":
        return
    found = [(d, s) for d in docnames if (s := section_of(env, d)) is not None]
    sections = [s for _, s in found]
    docname = {s.path: d for d, s in found}
    if not sections:
        return
    cache = precache.open_cache(Path(env.mystnb_config.execution_cache_path or ".jupyter_cache"))
    todo = precache.missing(cache, sections)
    if not todo:
        return
    settings = settings_from(project_config(Path(app.srcdir)))
    srcdir = Path(app.srcdir).resolve()

    def name(section: precache.Section) -> str:
        """A section's path as messages show it: relative to the book."""
        try:
            return str(section.path.relative_to(srcdir))
        except ValueError:
            return str(section.path)

    def done(section: precache.Section, outcome: Outcome) -> None:
        """Log each section as its kernel finishes."""
        record = getattr(app, "d2lvi_record", None)
        if record is not None:
            record.executed_notebook(name(section), outcome)
        cells = sum(1 for c in section.nb.cells if c.cell_type == "code")
        retried = f", kernel khởi động {outcome.starts} lần" if outcome.starts > 1 else ""
        if outcome.ok:
            logger.info(f"[d2lvi.preexecute] {name(section)}: {cells} ô mã, "
                        f"{outcome.seconds:.2f} s{retried}")

    started = time.perf_counter()
    workers = settings.pool_size(len(todo))
    logger.info(f"[d2lvi.preexecute] chạy {len(todo)} mục, {workers} kernel cùng lúc")
    try:
        outcomes = precache.fill(cache, todo, settings, name, done)
    except Interrupted as stop:
        # Said once, as what it is (not as a kernel that died); Sphinx then stops the build.
        logger.info(f"[d2lvi.preexecute] {stop}")
        raise
    failed = [(s, o) for s, o in zip(todo, outcomes, strict=True) if not o.ok]
    logger.info(f"[d2lvi.preexecute] {len(todo) - len(failed)}/{len(todo)} mục đã chạy "
                f"({time.perf_counter() - started:.2f} s)")
    if not failed or not env.mystnb_config.execution_raise_on_error:
        return
    for section, outcome in failed:
        where = f"ô mã {_code_number(section, outcome.cell)}: " if outcome.cell is not None else ""
        logger.error(f"{where}{outcome.error}", location=(docname[section.path],
                                                         cell_line(section, outcome.cell)),
                     type="d2lvi", subtype="execute")
    raise CellExecutionFailedError(f"{len(failed)} mục có ô mã lỗi, xem các dòng ở trên")


def _code_number(section: precache.Section, index: int) -> int:
    """The 1-based number of a cell among the notebook's code cells."""
    return sum(1 for c in section.nb.cells[:index + 1] if c.cell_type == "code")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    # Early (priority 300): before anything that reads the notebooks' outputs from the cache.
    app.connect("env-before-read-docs", pre_execute, priority=300)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
