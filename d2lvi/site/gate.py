"""Sphinx adapter of the output gate: every book build compares outputs with the stored ones.

Runs in the build's own process at ``build-finished`` (no second interpreter, and
``jupyter-book build`` gates even without make). A divergence is a warning per cell,
located at the cell, with its diff, and the build's exit status is set to failure; the
HTML report is written to ``_build/check/index.html`` (beside the output folder). Bad input
(a malformed ``:tolerance:``, a missing or corrupt stored figure) is a warning located at its
file and line, and fails the build too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from d2lvi.outputs import compare, gate, report, verdicts

logger = logging.getLogger(__name__)


def gated_chapters(app: Sphinx) -> list[gate.Chapter]:
    """Every source of this build that has stored outputs beside it."""
    srcdir = Path(app.srcdir)
    # MyST-NB's own default when no cache path is configured.
    configured = app.config.nb_execution_cache_path
    cache = srcdir / configured if configured else Path(app.outdir).parent / ".jupyter_cache"
    chapters = (gate.Chapter.at(Path(app.env.doc2path(d))) for d in sorted(app.env.found_docs))
    return [replace(c, cache=cache) for c in chapters if c.expected.exists()]


def _read_myst(path: Path) -> Any:
    """The chapter as MyST-NB reads it: the reader whose notebooks filled the cache."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)


def _settings(app: Sphinx) -> compare.Settings:
    """The book-wide tolerances of the configuration; a malformed one is a located error."""
    values = {key: getattr(app.config, key) for key in (compare.CONFIG_TEXT, compare.CONFIG_FIGURE)}
    try:
        return compare.Settings.from_config(values)
    except compare.SettingError as err:
        path = Path(app.srcdir) / "_config.yml"
        line = gate.yaml_key_line(path.read_text(encoding="utf-8"), err.key) \
            if path.exists() else 1
        raise gate.GateError(path, line, "OUT002", str(err)) from None


def _fail(app: Sphinx, err: gate.GateError) -> None:
    """Report bad input at its file and line, and fail the build."""
    logger.warning(f"[d2lvi.gate] {err.code} {err.message}", location=f"{err.path}:{err.line}",
                   type="d2lvi", subtype="gate")
    app.statuscode = 1


def run_gate(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: compare each gated chapter's cached outputs with the stored ones."""
    if exception is not None or app.builder.format != "html":
        return
    chapters = gated_chapters(app)
    if chapters and app.config.nb_execution_mode != "cache":
        logger.warning("[d2lvi.gate] cần execute_notebooks: cache để so sánh đầu ra "
                       "(the gate reads the execution cache)", type="d2lvi", subtype="gate")
        app.statuscode = 1
        return
    try:
        settings = _settings(app)
    except gate.GateError as err:
        _fail(app, err)
        return
    results = []
    # Passes are remembered while source, stored outputs, figures, cache record and settings
    # stay the same: a one-page edit gates that page, not the whole book (outputs.verdicts).
    memos: dict[Path, verdicts.Verdicts] = {}
    for chapter in chapters:
        memo = memos.setdefault(chapter.cache, verdicts.Verdicts(chapter.cache, settings))
        try:
            stored, found = verdicts.divergences(chapter, _read_myst, memo, settings)
        except gate.GateError as err:
            _fail(app, err)
            continue
        except FileNotFoundError as err:
            logger.warning(f"[d2lvi.gate] {err}", type="d2lvi", subtype="gate")
            app.statuscode = 1
            continue
        located = gate.entries(chapter, found)
        results.append(report.ChapterResult(str(chapter.source), str(chapter.expected), stored,
                                            tuple(located)))
        if found:
            logger.warning("[d2lvi.gate] %d ô mã có đầu ra khác %s — nếu thay đổi là có chủ "
                           "đích, chạy `make update-outputs`\n%s", len(found),
                           chapter.expected.name, gate.terminal(located),
                           type="d2lvi", subtype="gate")
            app.statuscode = 1
        else:
            logger.info(f"[d2lvi.gate] {chapter.source.name}: {stored} ô mã, "
                        "mọi đầu ra khớp kết quả đã lưu")
    for memo in memos.values():
        memo.save()
    if results:
        path = gate.write_report(Path(app.outdir).parent / "check", results,
                                 "Cổng so sánh đầu ra (output gate)")
        if any(r.entries for r in results):
            logger.info(f"[d2lvi.gate] báo cáo HTML (HTML report): {path}")


def reread_without_cache(app: Sphinx, env: Any, added: set[str], changed: set[str],
                         removed: set[str]) -> list[str]:
    """``env-get-outdated``: re-read gated chapters the execution cache has no run of.

    Otherwise an unchanged page would keep its rendered outputs with no cache record left
    to gate them against, and the build would fail: after the cache was deleted, or after a
    build that filled it partly was interrupted (Ctrl-C) and its successor reads only the
    pages edited since.
    """
    if app.config.nb_execution_mode != "cache":
        return []
    try:
        settings = _settings(app)
    except gate.GateError:
        settings = None  # reported by the gate; remembered passes then just do not apply
    outdated = []
    memos: dict[Path, verdicts.Verdicts] = {}
    for chapter in gated_chapters(app):
        docname = env.path2doc(str(chapter.source))
        if not docname or docname in added or docname in changed:
            continue
        memo = memos.setdefault(chapter.cache, verdicts.Verdicts(chapter.cache, settings))
        try:
            executed = verdicts.is_executed(chapter, _read_myst, memo)
        except Exception:  # noqa: BLE001 - an unreadable page is re-read and reported there
            executed = False
        if not executed:
            outdated.append(docname)
    return outdated


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the gate."""
    # Book-wide tolerances (README, "The output gate"); a cell's `:tolerance:` replaces the first.
    app.add_config_value(compare.CONFIG_TEXT, None, "", [dict, str, int, float])
    app.add_config_value(compare.CONFIG_FIGURE, None, "", [dict, str, int, float])
    app.connect("env-get-outdated", reread_without_cache)
    app.connect("build-finished", run_gate)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
