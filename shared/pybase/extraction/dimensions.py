"""Parse dimension and tolerance text such as `Ø12 H7`, `25.4 ±0.05`, `10 +0.2/-0.1`, `M8x1.25`, `10.1/9.9`.

Pure Python (no CAD or PDF library): the DXF extractor uses it on displayed dimension text, the PDF
extractor scans page text with `find_dimensions`, and the mapping code reuses the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pybase.extraction import iso286
from pybase.extraction.results import Dimension, Tolerance

_NUM = r"(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_SNUM = r"[-+]?\s*" + _NUM

# AutoCAD control codes and common spellings, normalised before matching. Each entry has a cheap
# trigger substring so that ordinary text skips the regex (PDF pages have thousands of lines).
_REPLACEMENTS = (
    ("%%", re.compile(r"%%[cC]"), "Ø"),
    ("%%", re.compile(r"%%[pP]"), "±"),
    ("%%", re.compile(r"%%[dD]"), "°"),
    ("", re.compile(r"[⌀∅]"), "Ø"),
    ("+", re.compile(r"\+\s*/\s*-|\+-(?=\s*\d|\s*[.,]\d)"), "±"),
    ("", re.compile(r"\b(?:DIA|dia|Dia)\.?\s*(?=\d|[.,]\d)"), "Ø"),
    ("", re.compile(r"[\u2212\u2013](?=\s*\d|\s*[.,]\d)"), "-"),  # unicode minus / en dash before a number
    ("\u00a0", re.compile(r"\u00a0"), " "),
)
_ANY_SPECIAL = re.compile(r"[⌀∅\u2212\u2013]|dia", re.IGNORECASE)
# MTEXT stacked fractions/tolerances: \S+0.2^-0.1;  \S10.1^9.9;  \S1#2;
_STACK = re.compile(r"\\S([^;^/#]*)[\^/#]([^;]*);")

_PATTERN = re.compile(
    rf"""
    (?<![\w.,])
    (?:(?P<count>\d{{1,3}})\s*[xX\u00d7]\s*(?=SØ|SR|Ø|R\s*\d|M\d))?
    (?:
        (?P<thread>M(?P<tnom>{_NUM})
            (?:\s*[xX\u00d7]\s*(?P<tpitch>{_NUM}))?
            (?:\s*-\s*(?P<tclass>\d[a-hA-H](?:\d[a-hA-H])?))?)
      |
        (?P<prefix>SØ|SR|Ø|R)?\s*
        (?P<num>{_NUM})
        (?:\s*(?P<unit>mm|in\b|"|°))?
        (?P<minutes>\s*\d{{1,2}}')?
        (?:\s*(?P<tol>
              ±\s*(?P<sym>{_NUM})\s*°?
            | \(?\s*(?P<plus>[-+]\s*{_NUM}|0(?:[.,]0+)?)\s*(?:/|\s)\s*(?P<minus>[-+]\s*{_NUM}|0(?:[.,]0+)?)\s*\)?
            | /\s*(?P<lim2>\d+[.,]\d+)
            | (?P<fit>[A-Z]{{1,2}}\d{{1,2}}(?:\s*/\s*[a-z]{{1,2}}\d{{1,2}})?|[a-z]{{1,2}}\d{{1,2}})
        ))?
        (?:\s*(?P<unit2>mm|in\b|"))?
    )
    (?![\w])(?![.,]\d)
    """,
    re.VERBOSE,
)

_KIND_BY_PREFIX = {"Ø": "diameter", "R": "radius", "SØ": "spherical_diameter", "SR": "spherical_radius"}
_UNIT_ALIASES = {"mm": "mm", "in": "in", '"': "in", "°": "deg"}


def _num(text: str) -> float:
    return float(text.replace(" ", "").replace(",", "."))


def _clean(value: float) -> float:
    # Deviations like 25.4 + 0.05 must not come out as 25.450000000000003.
    return round(value, 10)


def normalize_text(text: str) -> str:
    """Turn CAD control codes, MTEXT stacks and typographic variants into one plain spelling."""
    if "\\S" in text:
        text = _STACK.sub(lambda m: f" {m.group(1).strip()}/{m.group(2).strip()}", text)
    special = _ANY_SPECIAL.search(text) is not None
    for trigger, pattern, replacement in _REPLACEMENTS:
        if (trigger and trigger in text) or (not trigger and special):
            text = pattern.sub(replacement, text)
    return text


def _from_match(m: re.Match[str], default_unit: str | None) -> Dimension | None:
    count = int(m.group("count")) if m.group("count") else None
    if m.group("thread"):
        nominal = _num(m.group("tnom"))
        pitch = _num(m.group("tpitch")) if m.group("tpitch") else None
        if pitch is not None and not (pitch <= 6 and pitch < nominal / 2):
            pitch = None  # "M8x20" names a screw length, not a pitch
        return Dimension.model_construct(
            kind="thread",
            value=nominal,
            text=m.group(0).strip(),
            unit="mm",
            pitch=pitch,
            thread_class=m.group("tclass"),
            count=count,
        )
    value = _num(m.group("num"))
    prefix = m.group("prefix")
    unit_token = m.group("unit") or m.group("unit2")
    unit = _UNIT_ALIASES.get(unit_token) if unit_token else None
    kind = _KIND_BY_PREFIX.get(prefix or "", "length")
    if unit == "deg":
        kind = "angle"
        if m.group("minutes"):
            value = _clean(value + int(m.group("minutes").strip().rstrip("'")) / 60)
    elif m.group("minutes"):
        return None
    tolerance: Tolerance | None = None
    if m.group("sym"):
        t = _num(m.group("sym"))
        tolerance = Tolerance.model_construct(
            type="symmetric", plus=t, minus=-t, upper=_clean(value + t), lower=_clean(value - t), source="text"
        )
    elif m.group("plus") is not None:
        first, second = _num(m.group("plus")), _num(m.group("minus"))
        plus, minus = max(first, second), min(first, second)
        tolerance = Tolerance.model_construct(
            type="deviation",
            plus=plus,
            minus=minus,
            upper=_clean(value + plus),
            lower=_clean(value + minus),
            source="text",
        )
    elif m.group("lim2"):
        first, second = value, _num(m.group("lim2"))
        if ("." not in m.group("num") and "," not in m.group("num")) or first == second:
            return None  # "1/2" or "10/12" are fractions or dates, not limits
        upper, lower = max(first, second), min(first, second)
        value = _clean((upper + lower) / 2)
        tolerance = Tolerance.model_construct(
            type="limits",
            plus=_clean(upper - value),
            minus=_clean(lower - value),
            upper=upper,
            lower=lower,
            source="text",
        )
    elif m.group("fit"):
        tolerance = Tolerance.model_construct(type="fit", fit=re.sub(r"\s+", "", m.group("fit")), source="text")
    if unit is None:
        unit = default_unit if kind != "angle" else "deg"
    if tolerance is not None and tolerance.type == "fit" and unit in (None, "mm") and "/" not in (tolerance.fit or ""):
        # ISO fits are metric: a known class gets its numeric limits (Ø12 H7 -> +0.018/0 mm).
        devs = iso286.deviations(value, tolerance.fit or "")
        if devs is not None:
            unit = "mm"
            tolerance = Tolerance.model_construct(
                type="deviation",
                plus=devs[0],
                minus=devs[1],
                upper=_clean(value + devs[0]),
                lower=_clean(value + devs[1]),
                fit=tolerance.fit,
                source="text",
            )
    return Dimension.model_construct(
        kind=kind, value=value, text=m.group(0).strip(), unit=unit, tolerance=tolerance, count=count
    )


def _has_marker(m: re.Match[str]) -> bool:
    return any(m.group("thread", "prefix", "tol", "unit", "unit2"))


def parse_dimension_text(text: str, *, default_unit: str | None = None) -> Dimension | None:
    """Parse a whole displayed dimension text; None when it is not one dimension value.

    A bare number ("25.4") is accepted here (it is what a dimension displays); `find_dimensions`
    is stricter because free text is full of numbers that are not dimensions.
    """
    norm = normalize_text(text).strip()
    m = _PATTERN.fullmatch(norm)
    if m is None:
        # Accept decorations around the value, e.g. "(25.4)" reference dims or "Ø12 H7 THRU".
        found = [d for d in find_dimensions(norm, default_unit=default_unit, require_marker=False)]
        return found[0] if len(found) == 1 else None
    return _from_match(m, default_unit)


def count_dimensions(text: str) -> int:
    """How many dimensions `find_dimensions` would yield, roughly, without building them (truncation counts)."""
    return sum(1 for m in _PATTERN.finditer(normalize_text(text)) if _has_marker(m))


def find_dimensions(text: str, *, default_unit: str | None = None, require_marker: bool = True) -> Iterator[Dimension]:
    """Yield every dimension written in free text.

    With `require_marker` (the default) a number only counts when something marks it as a
    dimension: Ø/R/M prefix, a tolerance or fit, or a unit. Quantities and item numbers do not.
    """
    norm = normalize_text(text)
    for m in _PATTERN.finditer(norm):
        if require_marker and not _has_marker(m):
            continue
        dim = _from_match(m, default_unit)
        if dim is not None:
            yield dim
