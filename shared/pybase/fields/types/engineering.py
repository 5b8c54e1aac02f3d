# ruff: noqa: RUF001  (units and tolerances are written with primes, minus signs and ±)
"""Engineering field types: dimension (with tolerance and units), thread, material, surface finish.

Values are structured JSON; each also stores a normalized number (millimetres, micrometres) so that
filters and sorts compare values entered in any unit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    WriteContext,
    bad_options,
    data_json,
    json_number,
    keep_common,
    to_decimal,
)
from pybase.fields.types.ops import NUMBER_INDEXES, NUMBER_OPERATORS, TEXT_INDEXES, TEXT_OPERATORS

MM_PER_UNIT = {
    "mm": Decimal(1),
    "cm": Decimal(10),
    "m": Decimal(1000),
    "in": Decimal("25.4"),
    "ft": Decimal("304.8"),
    "um": Decimal("0.001"),
}
UNIT_ALIASES = {
    "mm": "mm", "millimeter": "mm", "millimetre": "mm", "millimeters": "mm", "millimetres": "mm",
    "cm": "cm", "m": "m", "meter": "m", "metre": "m", "meters": "m", "metres": "m",
    "in": "in", "inch": "in", "inches": "in", '"': "in", "″": "in",
    "ft": "ft", "foot": "ft", "feet": "ft", "'": "ft", "′": "ft",
    "um": "um", "µm": "um", "μm": "um", "micron": "um", "microns": "um",
}  # fmt: skip

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_UNIT = r"(?:mm|cm|um|µm|μm|microns?|millimet(?:er|re)s?|met(?:er|re)s?|m|inch(?:es)?|in|feet|foot|ft|\"|″|'|′)"
_TOLERANCE = re.compile(
    rf"^\s*(?P<value>{_NUM})\s*(?P<unit1>{_UNIT})?\s*"
    rf"(?:(?:±|\+/-|\+-|\+/−)\s*(?P<sym>{_NUM})"
    rf"|\+\s*(?P<plus>{_NUM})\s*/\s*[-−]\s*(?P<minus>{_NUM}))?"
    rf"\s*(?P<unit2>{_UNIT})?\s*$",
    re.IGNORECASE,
)
_LIMITS = re.compile(
    rf"^\s*(?P<lower>{_NUM})\s*(?P<unit1>{_UNIT})?\s*(?:\.\.|–|—|to|/)\s*(?P<upper>{_NUM})\s*(?P<unit2>{_UNIT})?\s*$",
    re.IGNORECASE,
)


def canonical_unit(unit: str | None, default: str) -> str:
    if unit is None or unit == "":
        return default
    key = unit if unit in ('"', "'", "″", "′") else unit.lower()
    if key not in UNIT_ALIASES:
        raise FieldValueError(f"Unknown unit {unit!r}; use one of mm, cm, m, in, ft, um.")
    return UNIT_ALIASES[key]


def _num(value: Any, what: str) -> Decimal:
    return to_decimal(value, what=what)


def _fmt(value: Decimal | float | int) -> str:
    """A number without trailing zeros or exponent ("12.5", "3", "0.001")."""
    # Stored values come back from JSON as floats and ints: their shortest repr is already the
    # text once a trailing ".0" goes (a page of 100 dimensions: 0.1 ms via Decimal, a fifth of it so).
    if type(value) is int:
        return str(value)
    if type(value) is float and value:
        text = repr(value)
        if "e" not in text and "n" not in text:
            return text[:-2] if text.endswith(".0") else text
    return f"{Decimal(str(value)).normalize():f}"


def delegate(view: FieldType, compiler: Any) -> Any:
    """Run a shared operator against another expression of the same field (e.g. its name part)."""
    return lambda t, f, op, value, ps: compiler(view, f, op, value, ps)


class _JsonNumber(FieldType):
    """A numeric key inside a structured value, for filters and sorts."""

    sql_type = "numeric"

    def __init__(self, key: str = "", convert: Any = None) -> None:
        self.key = key
        self.convert = convert

    def value_expr(self, field: FieldLike) -> str:
        return f"(({data_json(field.id)} ->> '{self.key}')::numeric)"

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return self.convert(value, field)


class _JsonText(FieldType):
    sql_type = "text"

    def __init__(self, key: str = "") -> None:
        self.key = key

    def value_expr(self, field: FieldLike) -> str:
        return f"({data_json(field.id)} ->> '{self.key}')"


# --- dimension --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def parse_dimension(text: str, default_unit: str) -> dict[str, Any]:
    """Cached: imports repeat the same few dimensions; callers never modify the result."""
    if m := _TOLERANCE.match(text):
        if m["unit1"] and m["unit2"] and canonical_unit(m["unit1"], "") != canonical_unit(m["unit2"], ""):
            raise FieldValueError("A dimension and its tolerance must use the same unit.")
        unit = canonical_unit(m["unit2"] or m["unit1"], default_unit)
        value = _num(m["value"], "a dimension value")
        if m["sym"] is not None:
            tol = {"type": "symmetric", "plus": abs(_num(m["sym"], "a tolerance"))}
            tol["minus"] = tol["plus"]
        elif m["plus"] is not None:
            tol = {
                "type": "asymmetric",
                "plus": _num(m["plus"], "a tolerance"),
                "minus": _num(m["minus"], "a tolerance"),
            }
        else:
            tol = None
        return {"value": value, "unit": unit, "tolerance": tol}
    if m := _LIMITS.match(text):
        unit = canonical_unit(m["unit2"] or m["unit1"], default_unit)
        lower, upper = _num(m["lower"], "a lower limit"), _num(m["upper"], "an upper limit")
        if lower > upper:
            raise FieldValueError("The lower limit is above the upper limit.")
        return {
            "value": (lower + upper) / 2,
            "unit": unit,
            "tolerance": {"type": "limits", "lower": lower, "upper": upper},
        }
    raise FieldValueError(f"{text!r} is not a dimension (e.g. '10.5 ±0.1 mm', '10.5 +0.2/-0.1', '10.4..10.6 mm').")


def _dimension_from_dict(value: dict[str, Any], default_unit: str) -> dict[str, Any]:
    unknown = set(value) - {"value", "unit", "tolerance", "display"}
    if unknown:
        raise FieldValueError(f"Unknown dimension keys: {sorted(unknown)}.")
    unit = canonical_unit(value.get("unit"), default_unit)
    tol = value.get("tolerance")
    out_tol: dict[str, Any] | None = None
    if tol is not None:
        if not isinstance(tol, dict) or tol.get("type") not in ("symmetric", "asymmetric", "limits"):
            raise FieldValueError("tolerance.type is symmetric, asymmetric or limits.")
        if tol["type"] == "limits":
            lower, upper = _num(tol.get("lower"), "a lower limit"), _num(tol.get("upper"), "an upper limit")
            if lower > upper:
                raise FieldValueError("The lower limit is above the upper limit.")
            out_tol = {"type": "limits", "lower": lower, "upper": upper}
        else:
            plus = abs(_num(tol.get("plus"), "a tolerance"))
            minus = plus if tol["type"] == "symmetric" else _num(tol.get("minus"), "a tolerance")
            out_tol = {"type": tol["type"], "plus": plus, "minus": abs(minus)}
    if value.get("value") is None:
        if out_tol is None or out_tol["type"] != "limits":
            raise FieldValueError("A dimension needs a value.")
        nominal = (out_tol["lower"] + out_tol["upper"]) / 2
    else:
        nominal = _num(value["value"], "a dimension value")
    return {"value": nominal, "unit": unit, "tolerance": out_tol}


def to_mm(value: Any, default_unit: str) -> Decimal:
    """A filter value: a number in the field's unit, or text with a unit like '1 in'."""
    if isinstance(value, str):
        parsed = parse_dimension(value, default_unit)
        return parsed["value"] * MM_PER_UNIT[parsed["unit"]]
    if isinstance(value, dict):
        parsed = _dimension_from_dict(value, default_unit)
        return parsed["value"] * MM_PER_UNIT[parsed["unit"]]
    return _num(value, "a dimension") * MM_PER_UNIT[default_unit]


@lru_cache(maxsize=4096)
def _stored_from_text(text: str, default_unit: str) -> dict[str, Any]:
    return _stored(parse_dimension(text, default_unit))


def _stored(parsed: dict[str, Any]) -> dict[str, Any]:
    """A parsed dimension in storage form: value, unit, tolerance and normalized millimetres."""
    factor = MM_PER_UNIT[parsed["unit"]]
    stored: dict[str, Any] = {"value": json_number(parsed["value"]), "unit": parsed["unit"]}
    low = high = parsed["value"]
    tol = parsed["tolerance"]
    if tol is not None:
        if tol["type"] == "limits":
            low, high = tol["lower"], tol["upper"]
            stored["tolerance"] = {"type": "limits", "lower": json_number(low), "upper": json_number(high)}
        else:
            low, high = parsed["value"] - tol["minus"], parsed["value"] + tol["plus"]
            stored["tolerance"] = {
                "type": tol["type"],
                "plus": json_number(tol["plus"]),
                "minus": json_number(tol["minus"]),
            }
    # Normalized millimetres, so filters and sorts work across units.
    stored["mm"] = json_number(parsed["value"] * factor)
    stored["min_mm"] = json_number(low * factor)
    stored["max_mm"] = json_number(high * factor)
    return stored


@register
class Dimension(FieldType):
    name = "dimension"
    sql_type = "numeric"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        try:
            out["unit"] = canonical_unit(options.get("unit"), "mm")
        except FieldValueError as exc:
            raise bad_options(exc.message, option="unit") from None
        return out

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        unit = field.options.get("unit", "mm")
        if isinstance(value, str):
            # Cached whole (batches repeat values); a copy, as records may not share the dicts.
            cached = _stored_from_text(value, unit)
            stored = dict(cached)
            if "tolerance" in stored:
                stored["tolerance"] = dict(cached["tolerance"])
            return stored
        if isinstance(value, dict):
            parsed = _dimension_from_dict(value, unit)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parsed = {"value": _num(value, "a dimension value"), "unit": unit, "tolerance": None}
        else:
            raise FieldValueError(f"Expected a dimension like '10.5 ±0.1 mm', got {type(value).__name__}.")
        return _stored(parsed)

    def display(self, stored: dict[str, Any]) -> str:
        unit = stored["unit"]
        tol = stored.get("tolerance")
        if tol is None:
            return f"{_fmt(stored['value'])} {unit}"
        if tol["type"] == "limits":
            return f"{_fmt(tol['lower'])}..{_fmt(tol['upper'])} {unit}"
        if tol["type"] == "symmetric":
            return f"{_fmt(stored['value'])} ±{_fmt(tol['plus'])} {unit}"
        return f"{_fmt(stored['value'])} +{_fmt(tol['plus'])}/-{_fmt(tol['minus'])} {unit}"

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        return {
            "value": stored["value"],
            "unit": stored["unit"],
            "tolerance": stored.get("tolerance"),
            "display": self.display(stored),
        }

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if stored is None else self.display(stored)

    def value_expr(self, field: FieldLike) -> str:
        return f"(({data_json(field.id)} ->> 'mm')::numeric)"

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return to_mm(value, field.options.get("unit", "mm"))

    operators = NUMBER_OPERATORS
    index_kinds = NUMBER_INDEXES


# --- thread -----------------------------------------------------------------------------------

METRIC_COARSE = {
    "1": "0.25", "1.2": "0.25", "1.6": "0.35", "2": "0.4", "2.5": "0.45", "3": "0.5", "3.5": "0.6", "4": "0.7",
    "5": "0.8", "6": "1", "8": "1.25", "10": "1.5", "12": "1.75", "14": "2", "16": "2", "18": "2.5", "20": "2.5",
    "22": "2.5", "24": "3", "27": "3", "30": "3.5", "33": "3.5", "36": "4", "42": "4.5", "48": "5", "56": "5.5",
    "64": "6",
}  # fmt: skip
NUMBERED_INCH = {
    "0": "0.060", "1": "0.073", "2": "0.086", "3": "0.099", "4": "0.112", "5": "0.125", "6": "0.138",
    "8": "0.164", "10": "0.190", "12": "0.216",
}  # fmt: skip
_METRIC = re.compile(
    r"^M\s*(?P<d>\d+(?:\.\d+)?)(?:\s*[x×]\s*(?P<p>\d+(?:\.\d+)?))?(?:\s*-\s*(?P<cls>\d[a-hA-H](?:\d[a-hA-H])?))?"
    r"(?:\s*(?P<hand>LH|RH))?$",
    re.IGNORECASE,
)
_INCH = re.compile(
    r"^(?:#(?P<num>\d{1,2})|(?P<frac>\d+/\d+|\d+(?:\.\d+)?|\d+-\d+/\d+))\s*\"?\s*-\s*(?P<tpi>\d+(?:\.\d+)?)"
    r"(?:\s*(?P<series>UNC|UNF|UNEF|UNS|UN|NPT|NPTF|BSPT|BSPP|NPS))?(?:\s*-\s*(?P<cls>[123][AB]))?(?:\s*(?P<hand>LH|RH))?$",
    re.IGNORECASE,
)
_PIPE = re.compile(r"^(?P<series>G|R|Rc|Rp)\s*(?P<frac>\d+(?:\s*\d+)?/\d+|\d+)$", re.IGNORECASE)


def _inches(frac: str) -> Decimal:
    if "-" in frac:  # 1-1/4
        whole, part = frac.split("-", 1)
        return Decimal(whole) + _inches(part)
    if "/" in frac:
        num, den = frac.split("/")
        if Decimal(den) == 0:
            raise FieldValueError("A thread size cannot divide by zero.")
        return Decimal(num.strip()) / Decimal(den)
    return Decimal(frac)


def parse_thread(text: str) -> dict[str, Any]:
    compact = " ".join(text.strip().split())
    if m := _METRIC.match(compact):
        pitch = m["p"] or METRIC_COARSE.get(_fmt(Decimal(m["d"])))
        out: dict[str, Any] = {"system": "metric", "nominal_mm": json_number(Decimal(m["d"]))}
        if pitch is not None:
            out["pitch_mm"] = json_number(Decimal(pitch))
        out["series"] = "fine" if m["p"] and m["p"] != METRIC_COARSE.get(_fmt(Decimal(m["d"]))) else "coarse"
        designation = f"M{_fmt(Decimal(m['d']))}" + (f"x{_fmt(Decimal(pitch))}" if pitch else "")
        if m["cls"]:
            out["class"] = m["cls"]
            designation += f"-{m['cls']}"
        if (m["hand"] or "").upper() == "LH":
            out["hand"] = "left"
            designation += " LH"
        out["designation"] = designation
        return out
    if m := _INCH.match(compact):
        diameter = Decimal(NUMBERED_INCH[m["num"]]) if m["num"] is not None and m["num"] in NUMBERED_INCH else None
        if m["num"] is not None and diameter is None:
            raise FieldValueError(f"#{m['num']} is not a numbered screw size.")
        if diameter is None:
            diameter = _inches(m["frac"])
        series = (m["series"] or "UN").upper()
        out = {
            "system": "pipe" if series in ("NPT", "NPTF", "BSPT", "BSPP", "NPS") else "unified",
            "nominal_mm": json_number((diameter * Decimal("25.4")).quantize(Decimal("0.001"))),
            "tpi": json_number(Decimal(m["tpi"])),
            "series": series,
        }
        size = f"#{m['num']}" if m["num"] is not None else m["frac"]
        designation = f"{size}-{_fmt(Decimal(m['tpi']))} {series}"
        if m["cls"]:
            out["class"] = m["cls"].upper()
            designation += f"-{out['class']}"
        if (m["hand"] or "").upper() == "LH":
            out["hand"] = "left"
            designation += " LH"
        out["designation"] = designation
        return out
    if m := _PIPE.match(compact):
        series = {"g": "G", "r": "R", "rc": "Rc", "rp": "Rp"}[m["series"].lower()]
        return {
            "system": "pipe",
            "series": series,
            "nominal_mm": json_number(
                (_inches(m["frac"].replace(" ", "-")) * Decimal("25.4")).quantize(Decimal("0.001"))
            ),
            "designation": f"{series}{m['frac']}",
        }
    raise FieldValueError(f"{text!r} is not a thread designation (e.g. M8x1.25-6g, 1/4-20 UNC-2A, #10-32 UNF, G1/2).")


_THREAD_NAME = _JsonText("designation")
_THREAD_SIZE = _JsonNumber("nominal_mm", lambda value, field: to_mm(value, "mm"))


@register
class Thread(FieldType):
    """A screw thread; text filters match the designation, comparisons the nominal diameter (mm)."""

    name = "thread"
    sql_type = "numeric"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            value = value.get("designation")
        if not isinstance(value, str):
            raise FieldValueError("Expected a thread designation such as M8x1.25.")
        return parse_thread(value)

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if stored is None else stored["designation"]

    def value_expr(self, field: FieldLike) -> str:
        return _THREAD_SIZE.value_expr(field)

    operators = {
        **{op: delegate(_THREAD_NAME, fn) for op, fn in TEXT_OPERATORS.items() if op not in ("=", "!=")},
        **{op: delegate(_THREAD_SIZE, fn) for op, fn in NUMBER_OPERATORS.items() if op not in ("is", "is_not")},
    }
    index_kinds = {"<": "btree", "<=": "btree", ">": "btree", ">=": "btree", "=": "btree", "contains": "trigram"}

    def index_expression(self, field: FieldLike, kind: str) -> str | None:
        if kind == "trigram":
            return f"pybase_trigrams({_THREAD_NAME.value_expr(field)})"
        return super().index_expression(field, kind)


# --- material ---------------------------------------------------------------------------------

MATERIALS = [
    ("Aluminum 6061-T6", "aluminum", "6061-T6", 2.70, ("6061", "6061-t6", "al 6061", "aluminium 6061-t6")),
    ("Aluminum 7075-T6", "aluminum", "7075-T6", 2.81, ("7075", "7075-t6", "al 7075")),
    ("Stainless steel 304", "stainless steel", "304", 8.00, ("304", "ss304", "aisi 304", "1.4301")),
    ("Stainless steel 316L", "stainless steel", "316L", 8.00, ("316l", "ss316l", "aisi 316l", "1.4404")),
    ("Carbon steel A36", "steel", "A36", 7.85, ("a36", "astm a36")),
    ("Steel 1045", "steel", "1045", 7.85, ("1045", "c45")),
    ("Titanium Ti-6Al-4V", "titanium", "Grade 5", 4.43, ("ti-6al-4v", "ti64", "grade 5 titanium")),
    ("Brass C360", "brass", "C360", 8.50, ("c360", "brass 360")),
    ("Copper C110", "copper", "C110", 8.89, ("c110", "copper 110")),
    ("PEEK", "plastic", "PEEK", 1.32, ("peek",)),
    ("POM (Delrin)", "plastic", "POM", 1.41, ("pom", "delrin", "acetal")),
    ("ABS", "plastic", "ABS", 1.05, ("abs",)),
    ("Nylon 6/6", "plastic", "PA66", 1.14, ("nylon", "pa66", "nylon 6/6")),
]
_MATERIAL_INDEX = {alias: m for m in MATERIALS for alias in (m[0].lower(), *m[4])}
_MATERIAL_NAME = _JsonText("name")


@register
class Material(FieldType):
    """A material: {name, family, grade, standard, density_g_cm3}; common names fill the rest in."""

    name = "material"
    sql_type = "text"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = " ".join(value.split())
            if not text or len(text) > 200:
                raise FieldValueError("A material name has 1 to 200 characters.")
            known = _MATERIAL_INDEX.get(text.lower())
            if known is None:
                return {"name": text}
            return {"name": known[0], "family": known[1], "grade": known[2], "density_g_cm3": known[3]}
        if not isinstance(value, dict):
            raise FieldValueError("Expected a material name or object.")
        unknown = set(value) - {"name", "family", "grade", "standard", "density_g_cm3"}
        if unknown:
            raise FieldValueError(f"Unknown material keys: {sorted(unknown)}.")
        name = value.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise FieldValueError("A material needs a name of 1 to 200 characters.")
        out: dict[str, Any] = {"name": name.strip()}
        for key in ("family", "grade", "standard"):
            if value.get(key) is not None:
                if not isinstance(value[key], str):
                    raise FieldValueError(f"material {key} is text.")
                out[key] = value[key]
        if value.get("density_g_cm3") is not None:
            density = to_decimal(value["density_g_cm3"], what="a density")
            if density <= 0:
                raise FieldValueError("A density is positive.")
            out["density_g_cm3"] = json_number(density)
        return out

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if stored is None else stored["name"]

    def value_expr(self, field: FieldLike) -> str:
        return _MATERIAL_NAME.value_expr(field)

    operators = TEXT_OPERATORS
    index_kinds = TEXT_INDEXES


# --- surface finish ---------------------------------------------------------------------------

N_GRADES = {
    "N1": "0.025", "N2": "0.05", "N3": "0.1", "N4": "0.2", "N5": "0.4", "N6": "0.8",
    "N7": "1.6", "N8": "3.2", "N9": "6.3", "N10": "12.5", "N11": "25", "N12": "50",
}  # fmt: skip
_FINISH = re.compile(
    rf"^(?:(?P<p1>Ra|Rz|Rq|Rt)\s*)?(?P<value>{_NUM})\s*(?P<unit>µm|μm|um|micron|microns|µin|μin|uin|microinch|microinches)?"
    r"(?:\s*(?P<p2>Ra|Rz|Rq|Rt))?$",
    re.IGNORECASE,
)
_UM_PER_UIN = Decimal("0.0254")


def parse_finish(text: str) -> dict[str, Any]:
    compact = " ".join(text.strip().split())
    if compact.upper() in N_GRADES:
        grade = compact.upper()
        um = Decimal(N_GRADES[grade])
        return {"parameter": "Ra", "value": json_number(um), "unit": "um", "um": json_number(um), "grade": grade}
    m = _FINISH.match(compact)
    if not m or (m["p1"] and m["p2"]):
        raise FieldValueError(f"{text!r} is not a surface finish (e.g. 'Ra 1.6 µm', 'Ra 63 µin', 'N7').")
    parameter = (m["p1"] or m["p2"] or "Ra").capitalize()
    value = Decimal(m["value"])
    if value <= 0:
        raise FieldValueError("A roughness value is positive.")
    unit = "uin" if (m["unit"] or "").lower() in ("µin", "μin", "uin", "microinch", "microinches") else "um"
    um = value * _UM_PER_UIN if unit == "uin" else value
    out = {"parameter": parameter, "value": json_number(value), "unit": unit, "um": json_number(um.normalize())}
    if parameter == "Ra":
        for grade, limit in N_GRADES.items():
            if Decimal(limit) == um:
                out["grade"] = grade
    return out


@register
class SurfaceFinish(FieldType):
    """Roughness: {parameter Ra|Rz|Rq|Rt, value, unit um|uin, um (normalized), grade N1..N12}."""

    name = "surface_finish"
    sql_type = "numeric"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            unknown = set(value) - {"parameter", "value", "unit", "um", "grade"}
            if unknown:
                raise FieldValueError(f"Unknown surface finish keys: {sorted(unknown)}.")
            if value.get("value") is None and value.get("grade"):
                return parse_finish(str(value["grade"]))
            text = f"{value.get('parameter') or 'Ra'} {_fmt(to_decimal(value.get('value'), what='a roughness'))}"
            return parse_finish(text + f" {value.get('unit') or 'um'}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return parse_finish(f"Ra {value} um")
        if not isinstance(value, str):
            raise FieldValueError("Expected a surface finish such as 'Ra 1.6 µm'.")
        return parse_finish(value)

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        if stored is None:
            return None
        unit = "µin" if stored["unit"] == "uin" else "µm"
        return f"{stored['parameter']} {_fmt(stored['value'])} {unit}"

    def value_expr(self, field: FieldLike) -> str:
        return f"(({data_json(field.id)} ->> 'um')::numeric)"

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        if isinstance(value, str):
            return Decimal(str(parse_finish(value)["um"]))
        return to_decimal(value, what="a roughness in µm")

    operators = NUMBER_OPERATORS
    index_kinds = NUMBER_INDEXES
