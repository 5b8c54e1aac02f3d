"""Field type inference for CSV columns.

Each `Guess` looks at a column's non-empty values and returns options when every value fits its type
(None otherwise). Guesses are tried in order, most specific first; the first that fits wins, and
text is the fallback. Engineering dimensions (`10.5 ±0.1 mm`) are recognized by PyBase's own
dimension parser, so what is inferred is exactly what the field will accept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldValueError, WriteContext

SAMPLE_LIMIT = 5000
SELECT_MAX_CHOICES = 20
SELECT_MAX_LENGTH = 40
LONG_TEXT_LENGTH = 255

_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[-+]?\.\d+$")
_CURRENCY = re.compile(r"^[-+]?[$€£¥]\s?([\d,]+(\.\d+)?)$")
_PERCENT = re.compile(r"^[-+]?\d+(\.\d+)?\s?%$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/\d{4}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_CHECKBOX_WORDS = {"true", "false", "yes", "no", "checked", "unchecked", "✓", "✔"}
_DIMENSION_HINT = re.compile(r"±|\+/-|\+\s*\d[\d.]*\s*/\s*-|\.\.|\d\s*(mm|cm|m|in|µm|um|\")\s*$", re.IGNORECASE)
_UNIT = re.compile(r"(mm|cm|µm|um|in|m)\s*$", re.IGNORECASE)


class _Probe:
    """A stand-in field for trying values through a field type's parser."""

    def __init__(self, type_name: str, options: dict[str, Any]) -> None:
        self.id = "fldPROBEPROBEPROB"
        self.name = "probe"
        self.type = type_name
        self.options = options


def _parses(type_name: str, options: dict[str, Any], values: list[str]) -> bool:
    ftype = get_field_type(type_name)
    probe = _Probe(type_name, options)
    ctx = WriteContext(typecast=True)
    try:
        for value in values:
            ftype.to_storage(value, probe, ctx)
    except (FieldValueError, ArithmeticError, ValueError, TypeError):
        return False
    return True


def _decimals(values: list[str]) -> int:
    return min(max((len(v.split(".", 1)[1]) if "." in v else 0) for v in values), 8)


def _checkbox(values: list[str]) -> dict[str, Any] | None:
    return {} if all(v.lower() in _CHECKBOX_WORDS for v in values) else None


def _number(values: list[str]) -> dict[str, Any] | None:
    return {"precision": _decimals(values)} if all(_NUMBER.match(v) for v in values) else None


def _currency(values: list[str]) -> dict[str, Any] | None:
    if not all(_CURRENCY.match(v) for v in values):
        return None
    symbol = Counter(next(ch for ch in v if ch in "$€£¥") for v in values).most_common(1)[0][0]
    return {"precision": max(_decimals(values), 2), "symbol": symbol}


def _percent(values: list[str]) -> dict[str, Any] | None:
    if not all(_PERCENT.match(v) for v in values):
        return None
    # Percent fields store fractions (50% is 0.5), and their precision counts the fraction's decimals.
    return {"precision": _decimals([v.rstrip("% ") for v in values]) + 2}


def _date(values: list[str]) -> dict[str, Any] | None:
    if all(_ISO_DATE.match(v) for v in values):
        return {"format": "iso"} if _parses("date", {}, values) else None
    matches = [_SLASH_DATE.match(v) for v in values]
    if not all(matches):
        return None
    day_first = any(int(m.group(1)) > 12 for m in matches if m)
    month_first = any(int(m.group(2)) > 12 for m in matches if m)
    if day_first and month_first:
        return None
    options = {"format": "european" if day_first else "us"}
    return options if _parses("date", options, values) else None


def _datetime(values: list[str]) -> dict[str, Any] | None:
    if all(_DATETIME.match(v) for v in values) and _parses("datetime", {}, values):
        return {"timezone": "UTC"}
    return None


def _email(values: list[str]) -> dict[str, Any] | None:
    return {} if all(_EMAIL.match(v) for v in values) else None


def _url(values: list[str]) -> dict[str, Any] | None:
    return {} if all(_URL.match(v) for v in values) else None


def _dimension(values: list[str]) -> dict[str, Any] | None:
    # Plain numbers are numbers: a dimension column shows tolerances or units somewhere.
    if not any(_DIMENSION_HINT.search(v) for v in values):
        return None
    units = Counter(m.group(1).lower().replace("um", "µm") for v in values if (m := _UNIT.search(v)))
    unit = units.most_common(1)[0][0] if units else "mm"
    options = {"unit": unit}
    return options if _parses("dimension", options, values) else None


def _long_text(values: list[str]) -> dict[str, Any] | None:
    return {} if any("\n" in v or len(v) > LONG_TEXT_LENGTH for v in values) else None


def _single_select(values: list[str]) -> dict[str, Any] | None:
    distinct = list(dict.fromkeys(values))
    if len(values) < 4 or len(distinct) > SELECT_MAX_CHOICES or len(distinct) * 2 > len(values):
        return None
    if any(len(v) > SELECT_MAX_LENGTH or "," in v for v in distinct):
        return None
    return {"choices": [{"name": v} for v in sorted(distinct, key=str.lower)]}


@dataclass(frozen=True)
class Guess:
    type: str
    test: Callable[[list[str]], dict[str, Any] | None]


GUESSES: list[Guess] = [
    Guess("checkbox", _checkbox),
    Guess("number", _number),
    Guess("currency", _currency),
    Guess("percent", _percent),
    Guess("date", _date),
    Guess("datetime", _datetime),
    Guess("email", _email),
    Guess("url", _url),
    Guess("dimension", _dimension),
    Guess("long_text", _long_text),
    Guess("single_select", _single_select),
]


def infer_type(values: list[str]) -> tuple[str, dict[str, Any]]:
    """(field type, options) for a column's values (empty strings are ignored)."""
    present = [v.strip() for v in values[:SAMPLE_LIMIT] if v is not None and v.strip()]
    if not present:
        return "single_line_text", {}
    for guess in GUESSES:
        options = guess.test(present)
        if options is not None:
            return guess.type, options
    return "single_line_text", {}
