"""Sphinx extension: a code cell that the build does not execute says so, with its reason.

A cell that cannot run where the book is built (it downloads a dataset, needs a GPU, trains
for minutes) carries the ``skip-execution`` tag, which MyST-NB and nbclient honour, and a
``not-executed`` reason in its options; the page shows the reason under the code. A tag
without a reason is a warning (the build fails with ``-W``): never a silent skip.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from d2lvi.outputs.store import NOT_EXECUTED_KEY, SKIP_EXECUTION_TAG

logger = logging.getLogger(__name__)


class NotExecutedNotes(SphinxTransform):
    """Add the reason under every cell tagged ``skip-execution``."""

    default_priority = 220

    def apply(self, **kwargs: Any) -> None:
        """Find the skipped cells in MyST-NB's cell containers."""
        label = self.config.d2lvi_not_executed_label
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code":
                continue
            metadata = cell.get("cell_metadata") or {}
            if SKIP_EXECUTION_TAG not in metadata.get("tags", []):
                continue
            reason = str(metadata.get(NOT_EXECUTED_KEY, "")).strip()
            if not reason:
                logger.warning(f"[d2lvi.cell] ô mã có tag {SKIP_EXECUTION_TAG} nhưng thiếu lý do "
                               f"`:{NOT_EXECUTED_KEY}:` (why it is not executed)",
                               location=cell, type="d2lvi", subtype="cell")
                continue
            note = nodes.paragraph("", "", nodes.strong("", label), nodes.Text(" " + reason),
                                   classes=["d2lvi-not-executed"])
            cell += note


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the transform."""
    app.add_config_value("d2lvi_not_executed_label",
                         "Ô mã này không được chạy khi dựng sách:", "env", [str])
    app.add_transform(NotExecutedNotes)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
