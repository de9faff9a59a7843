"""Numeric tolerance: the option's forms, numbers in text, and the diff that honours it."""

import pytest

from d2lvi.outputs import tolerance
from d2lvi.outputs.tolerance import Tolerance


def test_a_bare_number_is_an_absolute_tolerance():
    assert tolerance.parse(1e-3) == Tolerance(abs=1e-3)


def test_yaml_scientific_notation_arrives_as_a_string_and_is_accepted():
    # PyYAML reads `1e-3` (no dot) as a string: MyST-NB and jupytext both give "1e-3".
    assert tolerance.parse("1e-3") == Tolerance(abs=1e-3)


def test_a_mapping_sets_absolute_relative_and_pixel_bounds():
    assert tolerance.parse({"abs": "1e-6", "rel": 0.01, "rms": 2}) == Tolerance(1e-6, 0.01, 2)


@pytest.mark.parametrize("value, words", [
    ("nhỏ", "not a number"),
    ([1e-3], "not a number"),
    (True, "not a number"),
    (-0.1, ">= 0"),
    ("nan", ">= 0"),
    ({"abs": 1e-3, "absolute": 1}, "unknown key"),
    ({"rel": "1%"}, "not a number"),
    ({}, "empty"),
])
def test_malformed_tolerances_are_refused_with_the_reason(value, words):
    with pytest.raises(tolerance.ToleranceError, match=words.replace(">", ".")):
        tolerance.parse(value)


def test_exact_tolerance_compares_the_spelling_of_numbers():
    assert not tolerance.text_matches("1.0", "1.00", tolerance.EXACT)
    assert tolerance.text_matches("1.0", "1.0", tolerance.EXACT)


def test_numbers_inside_an_array_repr_are_compared_by_value():
    tol = Tolerance(abs=1e-3)
    assert tolerance.text_matches("array([0.2, 0.5, 3. ])", "array([0.2006, 0.5006, 3.0006])",
                                  tol)
    assert not tolerance.text_matches("array([0.2, 0.5, 3. ])", "array([0.206, 0.5, 3.])", tol)


def test_the_text_around_numbers_stays_exact():
    tol = Tolerance(abs=1)
    assert not tolerance.text_matches("mất mát (loss): 1.85", "loss: 1.85", tol)
    assert not tolerance.text_matches("1.85\n2.0", "1.85 2.0", tol)  # lines stay lines


def test_relative_tolerance_scales_with_the_number():
    tol = Tolerance(rel=0.01)
    assert tolerance.text_matches("12345.0 mẫu/giây", "12406.7 mẫu/giây", tol)
    assert not tolerance.text_matches("0.5 mẫu/giây", "0.51 mẫu/giây", tol)


@pytest.mark.parametrize("text, numbers", [
    ("array([1.e-03, 2.5e+00])", ["1.e-03", "2.5e+00"]),
    ("dtype=float32, shape (2, 3)", ["2", "3"]),
    ("colour #100000, version 1.5.3", []),
    ("<NDArray 2x2 @cpu(0)>", ["0"]),
    ("the loss is -0.5.", ["-0.5"]),
])
def test_only_standalone_numbers_are_numbers(text, numbers):
    assert tolerance.NUMBER.findall(text) == numbers


def test_a_colour_is_never_within_a_tolerance():
    assert not tolerance.text_matches("stroke:#100000", "stroke:#100001", Tolerance(rel=0.5))


def test_the_diff_shows_only_lines_beyond_the_tolerance():
    old = ["loss 0.500", "acc 0.900", "epoch 3"]
    new = ["loss 0.5004", "acc 0.950", "epoch 3"]
    diff = tolerance.unified(old, new, Tolerance(abs=1e-3))
    assert "-acc 0.900" in diff and "+acc 0.950" in diff
    assert not any(line.startswith(("-loss", "+loss")) for line in diff)


def test_widening_keeps_the_larger_bound_of_each_kind():
    wide = Tolerance(abs=1e-3).widen(Tolerance(abs=1e-2, rms=0.5))
    assert wide == Tolerance(abs=1e-2, rel=0, rms=0.5)
