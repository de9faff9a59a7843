"""Sphinx extension: a one-page edit costs the same in a book of any size, and says what it did.

- **What a build did** goes to ``_build/d2lvi-build.json`` (beside the doctrees): the
  documents Sphinx read, those it wrote, and the notebooks executed (from
  ``d2lvi.site.preexecute``), so tests and the benchmark check the mechanism, not a time.
- **Pages that really change.** Sphinx rewrites a re-read page, the pages whose toctree
  lists it and the root page; it does not rewrite the pages that show its *title* (every
  page's sidebar, its neighbours' previous/next links) or *cite its labels* (whose link text
  shows a title or a number). Here, when a re-read page's title changed, every page is
  rewritten; when a label's target, title or number changed (figures are numbered across
  the book), the pages citing it are. A paragraph edit rewrites its page and the root only.
- **Figure numbers without every doctree.** To number figures across the book Sphinx loads
  every page's doctree after every build (~10 ms each). A skeleton of each page — its
  sections, toctrees and referenceable objects with their captions, all the numbering looks
  at — is kept in the environment (merged from parallel readers) and the numbering walks it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector

RECORD = "d2lvi-build.json"


@dataclass
class BuildRecord:
    """What one build read, wrote and executed."""

    path: Path
    read: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    executed: list[dict[str, Any]] = field(default_factory=list)

    def executed_notebook(self, source: str, outcome: Any) -> None:
        """Note one notebook executed before the read (``d2lvi.outputs.kernels.Outcome``)."""
        self.executed.append({
            "source": source, "ok": outcome.ok, "seconds": round(outcome.seconds, 3),
            "cells": sum(1 for c in outcome.nb.cells if c.cell_type == "code"),
            "kernel_starts": outcome.starts, "forked": outcome.forked})

    def save(self, failed: bool) -> None:
        """Write the record (atomically)."""
        data = {"read": self.read, "written": sorted(set(self.written)),
                "executed": self.executed, "failed": failed}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, self.path)


def record_path(doctreedir: str | Path) -> Path:
    """Where a build's record goes: beside its doctrees (``_build/d2lvi-build.json``)."""
    return Path(doctreedir).parent / RECORD


def skeleton(node: nodes.Element) -> nodes.Element | None:
    """What figure numbering reads of a doctree: sections, toctrees, objects with ids.

    Kept objects keep their captions and titles (only captioned objects are numbered) and
    an empty stand-in for a code block (how a captioned code block is recognised); all in
    document order. None when nothing of ``node`` is needed.
    """
    own = isinstance(node, (nodes.section, addnodes.toctree)) or bool(node.get("ids"))
    labelled = own and not isinstance(node, nodes.section)
    kept: list[nodes.Element] = []
    for child in node.children:
        if not isinstance(child, nodes.Element):
            continue
        if labelled and isinstance(child, (nodes.caption, nodes.title)):
            kept.append(child.__class__("", child.astext()))  # only its text is read
        elif labelled and isinstance(child, nodes.literal_block) and not child.get("ids"):
            kept.append(nodes.literal_block())
        elif (part := skeleton(child)) is not None:
            kept.append(part)
    if not own and not kept and not isinstance(node, nodes.document):
        return None
    # New nodes, not copies: a copy keeps a reference to the whole document, which the
    # pickled environment would then carry. The root is a plain element.
    bare = nodes.Element() if isinstance(node, nodes.document) else node.__class__(
        "", **{k: v for k, v in node.attributes.items() if v})
    bare.extend(kept)
    return bare


class BookCollector(EnvironmentCollector):
    """Per page: what it cites, and its skeleton. Parallel-safe: merged from readers."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        """Forget a page that is read again or removed."""
        _xrefs(env).pop(docname, None)
        _skeletons(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: set[str],
                    other: BuildEnvironment) -> None:
        """Take the pages a parallel reader read."""
        for docname in docnames:
            if docname in _xrefs(other):
                _xrefs(env)[docname] = _xrefs(other)[docname]
            if docname in _skeletons(other):
                _skeletons(env)[docname] = _skeletons(other)[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Note the targets a page cites and keep its skeleton."""
        env = app.env
        targets = {str(x.get("reftarget", "")).lower()
                   for x in doctree.findall(addnodes.pending_xref)}
        _xrefs(env)[env.docname] = sorted(t for t in targets if t)
        _skeletons(env)[env.docname] = skeleton(doctree)


def _xrefs(env: BuildEnvironment) -> dict[str, list[str]]:
    """The labels each page cites (lower case, as Sphinx stores labels)."""
    if not hasattr(env, "d2lvi_xrefs"):
        env.d2lvi_xrefs = {}
    return env.d2lvi_xrefs


def _skeletons(env: BuildEnvironment) -> dict[str, nodes.Element]:
    """Each page's skeleton."""
    if not hasattr(env, "d2lvi_skeletons"):
        env.d2lvi_skeletons = {}
    return env.d2lvi_skeletons


@dataclass
class Snapshot:
    """What the pages about to be read showed to other pages, before they are read."""

    titles: dict[str, str | None]
    labels: dict[str, dict[str, Any]]
    fignumbers: dict[str, Any]
    secnumbers: dict[str, Any]


def _title(env: BuildEnvironment, docname: str) -> str | None:
    """A page's title as other pages show it."""
    title = env.titles.get(docname)
    return title.astext() if title is not None else None


def _labels(env: BuildEnvironment, docnames: set[str]) -> dict[str, dict[str, Any]]:
    """The labels the given pages define: name -> what a citing page shows of it."""
    std = env.get_domain("std")
    out: dict[str, dict[str, Any]] = {d: {} for d in docnames}
    for name, (docname, labelid, title) in std.labels.items():
        if docname in out:
            out[docname][name] = [labelid, title]
    for name, (docname, labelid) in std.anonlabels.items():
        if docname in out:
            out[docname].setdefault(name, [labelid, None])
    return out


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs`` (late): note what is read and what it showed until now."""
    record = getattr(app, "d2lvi_record", None)
    if record is not None:
        record.read = list(docnames)
    # Shallow copies: reading a page drops its entry; numbering replaces the whole dicts.
    app.d2lvi_snapshot = Snapshot({d: _title(env, d) for d in docnames},
                                  _labels(env, set(docnames)), dict(env.toc_fignumbers),
                                  dict(env.toc_secnumbers))


def _walk_skeletons(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated`` (first): figure numbering reads skeletons instead of doctrees."""
    skeletons = _skeletons(env)
    full = env.get_doctree

    def get_doctree(docname: str) -> nodes.Element:
        """The page's skeleton when there is one."""
        return skeletons[docname] if docname in skeletons else full(docname)

    env.get_doctree = get_doctree  # type: ignore[method-assign]
    return []


def _dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated`` (last): the pages showing a title or a label that changed."""
    env.__dict__.pop("get_doctree", None)  # the real method again
    snapshot: Snapshot | None = getattr(app, "d2lvi_snapshot", None)
    if snapshot is None or not snapshot.titles:
        return []
    if any(_title(env, d) != old for d, old in snapshot.titles.items()):
        return sorted(env.found_docs)  # every page's sidebar shows every title
    changed: set[str] = set()
    for docname, new in _labels(env, set(snapshot.titles)).items():
        old = snapshot.labels.get(docname, {})
        changed |= {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
    renumbered = {d for d in env.found_docs
                  if snapshot.fignumbers.get(d) != env.toc_fignumbers.get(d)
                  or snapshot.secnumbers.get(d) != env.toc_secnumbers.get(d)}
    if renumbered:
        for labels in _labels(env, renumbered).values():
            changed |= set(labels)
    if not changed:
        return []
    return sorted(d for d, cited in _xrefs(env).items()
                  if d in env.found_docs and changed.intersection(cited))


def _start_record(app: Sphinx) -> None:
    """``builder-inited``: a fresh record for this build."""
    app.d2lvi_record = BuildRecord(record_path(app.doctreedir))


def _note_written(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (in the main process, also when writing in parallel)."""
    app.d2lvi_record.written.append(docname)


def _save_record(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write the record."""
    app.d2lvi_record.save(failed=exception is not None or bool(app.statuscode))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_env_collector(BookCollector)
    app.connect("builder-inited", _start_record)
    app.connect("env-before-read-docs", _before_read, priority=900)
    app.connect("env-get-updated", _walk_skeletons, priority=10)
    app.connect("env-get-updated", _dependents, priority=990)
    app.connect("doctree-resolved", _note_written)
    app.connect("build-finished", _save_record, priority=990)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 2}
