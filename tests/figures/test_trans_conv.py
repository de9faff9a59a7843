"""The transposed-convolution figure shows exactly what the computation gives."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from d2lvi.figures import trans_conv as figure

SVG_NS = "{http://www.w3.org/2000/svg}"
COMMITTED = Path(__file__).resolve().parents[2] / "img" / "trans_conv.svg"
EXPECTED_OUTPUT = [[0, 0, 1], [0, 4, 6], [4, 12, 9]]


def book_trans_conv(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Return the result of the book's own loop-based trans_conv reference."""
    h, w = k.shape
    y = np.zeros((x.shape[0] + h - 1, x.shape[1] + w - 1), dtype=np.int64)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i : i + h, j : j + w] += x[i, j] * k
    return y


def grid_numbers(root: ET.Element, gid: str) -> list[list[int]]:
    """Return the numbers of the grid group `gid`, row by row as drawn."""
    group = root.find(f".//{SVG_NS}g[@id='{gid}']")
    assert group is not None, f"no <g id={gid!r}> in the SVG"
    # Rows are recovered from the y coordinate, so the check does not depend
    # on the order in which the generator happens to emit the cells.
    cells = sorted(
        (float(t.get("y")), float(t.get("x")), int(t.text))
        for t in group.iter(f"{SVG_NS}text")
    )
    rows: dict[float, list[int]] = {}
    for y, _, value in cells:
        rows.setdefault(y, []).append(value)
    return list(rows.values())


@pytest.fixture(scope="module")
def svg_text() -> str:
    """Return a freshly generated SVG."""
    return figure.render_svg()


@pytest.fixture(scope="module")
def svg_root(svg_text: str) -> ET.Element:
    """Return the parsed root element of the generated SVG."""
    return ET.fromstring(svg_text.encode("utf-8"))


def test_output_is_the_known_result_of_the_section() -> None:
    assert figure.trans_conv(figure.X, figure.K).tolist() == EXPECTED_OUTPUT


def test_output_agrees_with_the_books_loop_implementation() -> None:
    expected = book_trans_conv(figure.X, figure.K)
    assert figure.trans_conv(figure.X, figure.K).tolist() == expected.tolist()


def test_each_intermediate_is_one_input_element_times_the_kernel_at_its_offset() -> (
    None
):
    parts = figure.intermediate_tensors(figure.X, figure.K)
    assert len(parts) == 4
    for n, part in enumerate(parts):
        i, j = divmod(n, 2)
        expected = np.zeros((3, 3), dtype=np.int64)
        expected[i : i + 2, j : j + 2] = figure.X[i, j] * figure.K
        assert part.tolist() == expected.tolist()


def test_intermediates_sum_to_the_output() -> None:
    parts = figure.intermediate_tensors(figure.X, figure.K)
    assert np.sum(parts, axis=0).tolist() == EXPECTED_OUTPUT


def test_input_and_kernel_grids_show_x_and_k(svg_root: ET.Element) -> None:
    assert grid_numbers(svg_root, "input") == figure.X.tolist()
    assert grid_numbers(svg_root, "kernel") == figure.K.tolist()


@pytest.mark.parametrize("n", range(4))
def test_intermediate_grid_shows_the_computed_tensor(
    svg_root: ET.Element, n: int
) -> None:
    expected = figure.intermediate_tensors(figure.X, figure.K)[n].tolist()
    assert grid_numbers(svg_root, f"intermediate-{n}") == expected


def test_output_grid_shows_the_computed_output(svg_root: ET.Element) -> None:
    assert grid_numbers(svg_root, "output") == EXPECTED_OUTPUT


def test_only_the_contributing_cells_are_shaded(svg_root: ET.Element) -> None:
    masks = figure.contribution_masks(figure.X, figure.K)
    for n, mask in enumerate(masks):
        group = svg_root.find(f".//{SVG_NS}g[@id='intermediate-{n}']")
        rects = sorted(
            (float(r.get("y")), float(r.get("x")), r.get("fill"))
            for r in group.iter(f"{SVG_NS}rect")
        )
        shaded = [fill == figure.STYLE.shade for _, _, fill in rects]
        assert shaded == mask.flatten().tolist()


def test_labels_are_vietnamese(svg_root: ET.Element) -> None:
    texts = {t.text for t in svg_root.iter(f"{SVG_NS}text")}
    assert {"Đầu vào", "Hạt nhân", "Đầu ra", "*", "+", "="} <= texts


def test_has_title_desc_viewbox_and_size(svg_root: ET.Element) -> None:
    title = svg_root.find(f"{SVG_NS}title")
    desc = svg_root.find(f"{SVG_NS}desc")
    assert title is not None and "chuyển vị" in title.text
    assert desc is not None
    assert "đầu vào" in desc.text.lower() and "đầu ra" in desc.text.lower()
    assert str(EXPECTED_OUTPUT) in desc.text  # the text alternative carries the result
    assert (
        svg_root.get("viewBox")
        == f"0 0 {svg_root.get('width')} {svg_root.get('height')}"
    )
    assert 900 <= int(svg_root.get("width")) <= 1000


def test_fonts_carry_vietnamese_glyphs_without_web_fonts(svg_text: str) -> None:
    assert 'font-family="DejaVu Sans, Noto Sans, Arial, sans-serif"' in svg_text
    assert "@font-face" not in svg_text


@pytest.mark.parametrize("forbidden", ["href", "url(", "@import", "<script"])
def test_has_no_external_references_or_scripts(svg_text: str, forbidden: str) -> None:
    assert forbidden not in svg_text


def test_is_smaller_than_30_kb(svg_text: str) -> None:
    assert len(svg_text.encode("utf-8")) < 30 * 1024


def test_regeneration_is_byte_stable() -> None:
    assert figure.render_svg() == figure.render_svg()


def test_committed_file_matches_the_generator() -> None:
    assert COMMITTED.read_bytes() == figure.render_svg().encode("utf-8"), (
        "img/trans_conv.svg is stale; run: python -m d2lvi.figures.trans_conv"
    )


def test_cli_writes_the_file_and_check_accepts_it(tmp_path: Path) -> None:
    out = tmp_path / "img" / "trans_conv.svg"
    assert figure.main(["--output", str(out)]) == 0
    assert out.read_bytes() == COMMITTED.read_bytes()
    assert figure.main(["--output", str(out), "--check"]) == 0


def test_cli_check_rejects_a_stale_file_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "trans_conv.svg"
    out.write_text("<svg/>\n", encoding="utf-8")
    assert figure.main(["--output", str(out), "--check"]) == 1
    assert out.read_text(encoding="utf-8") == "<svg/>\n"
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "out of date" in message


def test_cli_check_reports_a_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "missing.svg"
    assert figure.main(["--output", str(out), "--check"]) == 1
    assert not out.exists()
