"""The canonical form of an SVG figure: content kept, file noise dropped (real matplotlib SVGs)."""

import io

import matplotlib
import pytest
from matplotlib.figure import Figure

from d2lvi.outputs import svg


def draw(label: str = "f(x)", colour: str = "tab:blue", ys=(0, 1, 4, 9), xlim=None,
         salt: str | None = None, date: str | None = None, fonttype: str = "path") -> bytes:
    """A small plot as matplotlib writes it to SVG."""
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": fonttype}):
        fig = Figure(figsize=(3.5, 2.5))
        ax = fig.add_subplot()
        ax.plot(range(len(ys)), ys, color=colour, marker="o")
        ax.set_ylabel(label)
        if xlim:
            ax.set_xlim(*xlim)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": date})
    return buf.getvalue()


def test_two_renderings_with_random_ids_and_other_dates_are_the_same():
    a = draw(salt=None, date="2020-01-01")
    b = draw(salt=None, date="2026-12-31")
    assert a != b  # the files differ: random marker and clip ids, the date
    assert svg.canonical(a) == svg.canonical(b)


def test_references_are_replaced_by_what_they_point_to():
    lines = svg.canonical(draw())
    assert not any("url(#" in line or "href=#" in line for line in lines)
    assert any("clip-path=[clipPath ; rect" in line for line in lines)
    assert any("use" in line and "href=[path" in line for line in lines)  # the markers


def test_texts_drawn_as_glyphs_are_kept_as_their_string_and_place():
    lines = svg.canonical(draw(label="tổn thất"))
    [text] = [line for line in lines if "tổn thất" in line]
    assert text.strip().startswith("text 'tổn thất' transform=translate(")
    assert not any("DejaVuSans" in line for line in lines)  # glyph outlines are not content


def test_a_changed_label_colour_curve_or_axis_limit_changes_the_lines():
    base = svg.canonical(draw())
    for changed in (draw(label="g(x)"), draw(colour="tab:red"), draw(ys=(0, 1, 4, 8)),
                    draw(xlim=(0, 4))):
        assert svg.canonical(changed) != base


def test_svg_text_elements_are_kept_with_their_content():
    lines = svg.canonical(draw(label="f(x)", fonttype="none"))
    assert any(line.strip().startswith("text ") and "'f(x)'" in line for line in lines)


def test_metadata_is_left_out():
    lines = svg.canonical(draw(date="2020-01-01"))
    assert not any("2020" in line or "Matplotlib v" in line for line in lines)


def test_an_embedded_raster_is_reduced_to_a_digest():
    doc = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="10pt"/></svg>')
    [_, image] = svg.canonical(doc)
    assert "href=data:image/png;base64 sha256:" in image and "width=10 pt" in image


@pytest.mark.parametrize("doc", [
    "<svg><path d='M 0 0'></svg>",
    "not xml at all",
    "<html><body/></html>",
    '<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg>&b;</svg>',
])
def test_unreadable_or_unsafe_documents_are_refused(doc):
    with pytest.raises(svg.SvgError):
        svg.canonical(doc)
