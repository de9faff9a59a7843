"""Figures compared: SVG through its canonical lines, PNG by pixels (real matplotlib output)."""

import pytest

from d2lvi.outputs import images
from d2lvi.outputs.images import SVG, Figure
from d2lvi.outputs.tolerance import Tolerance
from tests.outputs.plots import line_plot


def png(colour: str = "tab:green", ys=(0, 1, 4, 9), size=(3.5, 2.5)) -> bytes:
    """A small plot as PNG bytes."""
    return line_plot(ys, "png", colour=colour, dpi=72, size=size)


def svg(ys=(0, 1, 4, 9)) -> bytes:
    """The same plot as SVG bytes."""
    return line_plot(ys)


def fig(mime: str, data: bytes) -> Figure:
    """A figure of the given type."""
    return Figure(mime, "f." + images.EXTENSIONS[mime], data)


FLOOR = Tolerance(abs=0.01, rms=0.5)


def test_identical_pngs_match_and_a_changed_colour_does_not():
    assert images.compare(fig("image/png", png()), fig("image/png", png()), FLOOR) is None
    diff = images.compare(fig("image/png", png()), fig("image/png", png("tab:red")), FLOOR)
    assert diff is not None and "RMS" in diff.summary


def test_a_pixel_tolerance_accepts_a_small_raster_difference():
    a, b = fig("image/png", png()), fig("image/png", png(ys=(0, 1, 4, 9.05)))
    diff = images.compare(a, b, FLOOR)
    assert diff is not None
    assert images.compare(a, b, Tolerance(rms=10)) is None


def test_a_png_of_another_size_differs_by_size():
    diff = images.compare(fig("image/png", png()), fig("image/png", png(size=(4, 2.5))), FLOOR)
    assert diff is not None and "kích thước" in diff.summary


def test_svg_coordinates_move_within_the_tolerance_only():
    a, b = fig(SVG, svg()), fig(SVG, svg(ys=(0, 1, 4, 9.0001)))
    assert images.compare(a, b, FLOOR) is None
    far = images.compare(a, fig(SVG, svg(ys=(0, 1, 5, 9))), FLOOR)
    assert far is not None and any(line.startswith("+") for line in far.detail)


def test_the_payload_of_a_notebook_output_is_file_bytes():
    assert images.payload(SVG, ["<svg>", "</svg>"]) == b"<svg></svg>"
    assert images.payload("image/png", "iVBORw0KGgo=\n") == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("mime, data", [
    ("image/png", b""),
    ("image/png", b"\x89PNG\r\n\x1a\n truncated"),
    (SVG, b"<svg><g></svg>"),
])
def test_a_corrupt_figure_is_refused(mime, data):
    with pytest.raises(images.FigureError):
        images.validate(Figure(mime, "f", data))
