"""Every finding of the checker is one line, even when a lost backtick spans text over lines.

(Found by the property test of the CLI: an English role opened on one line and closed on a
later one put line breaks into the "missing reference" and "inline code" messages.)
"""

from __future__ import annotations

from pathlib import Path

from test_check_fuzz import CONTEXT

from d2lvi.translation.check import check_bytes

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_reference_cut_across_lines_is_reported_on_one_line() -> None:
    text = (DATA / "lint-pass-minimal.md").read_text(encoding="utf-8")
    # The first role lost its closing backtick: it now runs over two lines to the next one.
    broken = text.replace("transposed convolution (:numref:`sec_padding`).",
                          "transposed convolution (:numref:`\nthe output.\nSee (:numref:"
                          "`sec_padding`).", 1)
    assert broken != text
    findings = check_bytes(broken.encode(), CONTEXT)
    missing = [f for f in findings if f.code == "TR207"]
    assert missing and any(f.code == "TR205" for f in findings), findings
    assert all("\n" not in f.message for f in findings), findings
    assert "thiếu tham chiếu (reference) the output. See (:numref: của bản gốc" in (
        missing[0].message)
