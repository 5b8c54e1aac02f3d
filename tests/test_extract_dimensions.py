"""Dimension and tolerance text parsing (pure, no files)."""

from __future__ import annotations

import pytest

from pybase.extraction.dimensions import find_dimensions, normalize_text, parse_dimension_text


def parse(text: str, unit: str | None = "mm"):
    dim = parse_dimension_text(text, default_unit=unit)
    assert dim is not None, text
    return dim


@pytest.mark.parametrize(
    ("text", "kind", "value", "tol_type", "plus", "minus", "upper", "lower"),
    [
        ("25.4 ±0.05", "length", 25.4, "symmetric", 0.05, -0.05, 25.45, 25.35),
        ("25.4 +/- 0.05", "length", 25.4, "symmetric", 0.05, -0.05, 25.45, 25.35),
        ("25.4%%p0.05", "length", 25.4, "symmetric", 0.05, -0.05, 25.45, 25.35),
        ("10 +0.2/-0.1", "length", 10.0, "deviation", 0.2, -0.1, 10.2, 9.9),
        ("10 +0.2 -0.1", "length", 10.0, "deviation", 0.2, -0.1, 10.2, 9.9),
        ("10 (+0.2/-0.1)", "length", 10.0, "deviation", 0.2, -0.1, 10.2, 9.9),
        ("10 +0.2/0", "length", 10.0, "deviation", 0.2, 0.0, 10.2, 10.0),
        ("Ø20 -0.02/-0.05", "diameter", 20.0, "deviation", -0.02, -0.05, 19.98, 19.95),
        ("Ø20 \u22120.02/\u22120.05", "diameter", 20.0, "deviation", -0.02, -0.05, 19.98, 19.95),
        ("10.1/9.9", "length", 10.0, "limits", 0.1, -0.1, 10.1, 9.9),
        ("9.9/10.1", "length", 10.0, "limits", 0.1, -0.1, 10.1, 9.9),
        ("R5 ±0.1", "radius", 5.0, "symmetric", 0.1, -0.1, 5.1, 4.9),
        ("45° ±0.5°", "angle", 45.0, "symmetric", 0.5, -0.5, 45.5, 44.5),
        ("<> \\S+0.2^-0.1;".replace("<>", "12"), "length", 12.0, "deviation", 0.2, -0.1, 12.2, 11.9),
    ],
)
def test_numeric_tolerances(text, kind, value, tol_type, plus, minus, upper, lower) -> None:
    dim = parse(text)
    assert (dim.kind, dim.value) == (kind, value)
    tol = dim.tolerance
    assert tol is not None and tol.type == tol_type
    assert (tol.plus, tol.minus, tol.upper, tol.lower) == pytest.approx((plus, minus, upper, lower))


@pytest.mark.parametrize(
    ("text", "kind", "value", "fit", "plus", "minus"),
    [
        ("Ø12 H7", "diameter", 12.0, "H7", 0.018, 0.0),
        ("Ø12H7", "diameter", 12.0, "H7", 0.018, 0.0),
        ("\u230025 g6", "diameter", 25.0, "g6", -0.007, -0.020),
        ("DIA 8 js6", "diameter", 8.0, "js6", 0.0045, -0.0045),
        ("Ø40 f7", "diameter", 40.0, "f7", -0.025, -0.050),
        ("Ø25 k6", "diameter", 25.0, "k6", 0.015, 0.002),
        ("Ø100 F8", "diameter", 100.0, "F8", 0.090, 0.036),
    ],
)
def test_fit_classes_get_iso_286_limits(text, kind, value, fit, plus, minus) -> None:
    dim = parse(text, None)
    tol = dim.tolerance
    assert (dim.kind, dim.value, dim.unit, tol.type, tol.fit) == (kind, value, "mm", "deviation", fit)
    assert (tol.plus, tol.minus) == pytest.approx((plus, minus))
    assert (tol.upper, tol.lower) == pytest.approx((value + plus, value + minus))


@pytest.mark.parametrize(
    ("text", "unit", "fit"),
    [
        ("%%c12 H7/g6", "mm", "H7/g6"),  # a fit pair describes an assembly, not one limit
        ("Ø12 K7", "mm", "K7"),  # hole K-P need ISO delta corrections: name only
        ("Ø600 H7", "mm", "H7"),  # beyond the 500 mm table
        ("1.5 H7", "in", "H7"),  # ISO fits are metric
    ],
)
def test_fit_classes_left_as_names(text: str, unit: str, fit: str) -> None:
    tol = parse(text, unit).tolerance
    assert (tol.type, tol.fit, tol.plus, tol.upper) == ("fit", fit, None, None)


def test_threads() -> None:
    m8 = parse("M8x1.25")
    assert (m8.kind, m8.value, m8.pitch, m8.unit) == ("thread", 8.0, 1.25, "mm")
    assert parse("M8\u00d71.25-6g").thread_class == "6g"
    assert parse("M10").pitch is None
    # "M8x20" is a screw length, not a pitch
    assert parse("M8x20").pitch is None


def test_units_counts_and_angles() -> None:
    assert parse("25,4 mm", None).unit == "mm"
    inch = parse('1.250"', None)
    assert (inch.value, inch.unit) == (1.25, "in")
    assert parse("12.5", "in").unit == "in"
    assert parse("12.5", None).unit is None
    holes = parse("4x Ø6.6")
    assert (holes.count, holes.kind, holes.value) == (4, "diameter", 6.6)
    angle = parse("30°15'")
    assert (angle.kind, angle.value, angle.unit) == ("angle", 30.25, "deg")
    assert parse("SR10").kind == "spherical_radius"


@pytest.mark.parametrize("text", ["1/2", "10/12", "hello", "", "(+0.2/-0.1)", "10.0/10.0"])
def test_not_dimensions(text: str) -> None:
    assert parse_dimension_text(text) is None


def test_find_dimensions_needs_a_marker() -> None:
    text = (
        "Bore Ø12 H7 depth 20, length 25.4 ±0.05 qty 4 on 10/12/2024, item 3, thread M8x1.25-6g, fit 10.1/9.9, "
        "plate 200 mm, ITEM8 and version 2.0"
    )
    found = [d.text for d in find_dimensions(text)]
    assert found == ["Ø12 H7", "25.4 ±0.05", "M8x1.25-6g", "10.1/9.9", "200 mm"]


def test_normalize_text() -> None:
    assert normalize_text("%%c12 %%p0.1 %%d") == "Ø12 ±0.1 °"
    assert normalize_text("\\S+0.2^-0.1;") == " +0.2/-0.1"
    assert normalize_text("plain words") == "plain words"


def test_json_shape() -> None:
    data = parse("Ø12 H7").model_dump(mode="json")
    assert data["tolerance"] == {
        "type": "deviation", "plus": 0.018, "minus": 0.0, "upper": 12.018, "lower": 12.0, "fit": "H7", "source": "text"
    }  # fmt: skip
