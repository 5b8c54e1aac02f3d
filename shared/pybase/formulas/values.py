"""Runtime values and Airtable-style coercions shared by the evaluator and the function library.

Values are: None (blank), float, str, bool, datetime (timezone-aware, UTC), list, ErrorValue.
Rules (the SQL compiler mirrors them exactly):
- blank is None; "" and [] are also blank for comparisons, truthiness and COUNTA.
- numbers: blank -> 0, booleans -> 1/0, text -> the number it spells (whitespace-only -> 0) or an error.
- text: blank -> "", numbers -> shortest round-trip form without ".0", booleans -> "1"/"0",
  dates -> ISO 8601 UTC with milliseconds, arrays -> items joined with ", ".
- truthiness: blank, 0, "" and [] are false; everything else (dates, non-empty text, ...) is true.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ErrorValue:
    """A formula error value; shown as its code (`#ERROR!`) and propagated by most operations."""

    code: str = "#ERROR!"
    message: str = ""

    def __str__(self) -> str:
        return self.code

    def as_json(self) -> dict[str, str]:
        """Airtable's API shape for a formula error cell."""
        return {"error": self.code}


class Fail(Exception):
    """Raised inside function implementations to produce an error value."""


# Airtable's special numbers: arithmetic on text gives NaN, division by zero +-Infinity (0/0 NaN).
# They flow through operators, IF and SWITCH; a function given one as an argument gives #ERROR!.
NAN = float("nan")
INF = float("inf")


def is_special(v: Any) -> bool:
    return isinstance(v, float) and (math.isnan(v) or math.isinf(v))


def special_json(v: float) -> dict[str, str]:
    """Airtable's API shape of a special number."""
    return {"specialValue": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}


NUMERIC_RE = re.compile(r"^[ \t\n\r]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r]*$")
TRIM_CHARS = " \t\n\r"


def is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v == "") or (isinstance(v, list) and len(v) == 0)


def to_number(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if is_number(v):
        return float(v)
    if isinstance(v, str):
        if v.strip(TRIM_CHARS) == "":
            return 0.0
        if NUMERIC_RE.match(v):
            return float(v.strip(TRIM_CHARS))
        raise Fail(f"cannot use text {v[:40]!r} as a number")
    if isinstance(v, list):
        if not v:
            return 0.0
        if len(v) == 1:
            return to_number(v[0])
        raise Fail("cannot use a list of several values as a number")
    raise Fail(f"cannot use a {type(v).__name__} as a number")


def arith_number(v: Any) -> float:
    """An operand of + - * /: like to_number, but text that is not a number is NaN rather than an error."""
    if isinstance(v, str) and v.strip(TRIM_CHARS) != "" and not NUMERIC_RE.match(v):
        return NAN
    if isinstance(v, list) and len(v) == 1:
        return arith_number(v[0])
    if is_number(v):
        return float(v)
    return to_number(v)


def divide(a: float, b: float) -> float:
    if b == 0:
        return NAN if a == 0 or math.isnan(a) else math.copysign(INF, a)
    return a / b


def number_or_none(v: Any) -> float | None:
    """A strict number (no text parsing); None for anything else. Used by SUM/MIN/MAX/AVERAGE/COUNT."""
    if is_number(v):
        return float(v)
    return None


def format_number(x: float) -> str:
    """Shortest round-trip text, matching PostgreSQL's float8 output (exponent form below 1e-4 / from 1e15)."""
    if isinstance(x, int) and not isinstance(x, bool):
        x = float(x)
    if math.isnan(x) or math.isinf(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp10 = len(digits) + int(exponent) - 1  # exponent of the leading digit
    prefix = "-" if sign else ""
    if exp10 < -4 or exp10 >= 15:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if exp10 < 0:
        return f"{prefix}0.{'0' * (-exp10 - 1)}{text}"
    whole, frac = text[: exp10 + 1], text[exp10 + 1 :]
    whole = whole.ljust(exp10 + 1, "0")
    return f"{prefix}{whole}.{frac}" if frac else f"{prefix}{whole}"


def format_datetime_iso(d: datetime) -> str:
    d = d.astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def to_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if is_number(v):
        return format_number(float(v))
    if isinstance(v, datetime | date):
        return format_datetime_iso(as_datetime(v))
    if isinstance(v, list):
        return ", ".join(to_text(item) for item in v if not is_blank(item))
    if isinstance(v, dict):  # e.g. a linked record or attachment object: use its display name
        return to_text(v.get("name") or v.get("filename") or v.get("id") or "")
    return str(v)


def as_datetime(v: date | datetime) -> datetime:
    if isinstance(v, datetime):
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    return datetime.combine(v, time(0), tzinfo=UTC)


def to_date(v: Any) -> datetime | None:
    """Dates from dates, or from text in the formats DATETIME_PARSE understands without a format."""
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return None
    if isinstance(v, datetime | date):
        return as_datetime(v)
    if isinstance(v, str):
        from pybase.formulas.dates import parse_datetime

        return parse_datetime(v, None)
    if isinstance(v, list) and len(v) == 1:
        return to_date(v[0])
    raise Fail(f"cannot use a {type(v).__name__} as a date")


def truthy(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if is_number(v):
        return float(v) != 0 and v == v  # NaN is false, as in Airtable
    if isinstance(v, str | list):
        return len(v) > 0
    return True


_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _zero_like(v: Any) -> Any:
    """What a blank compares as against a non-blank value; None when it only differs (dates)."""
    if isinstance(v, bool) or is_number(v):
        return 0.0
    if isinstance(v, datetime | date):
        return None
    return ""


def compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, list):
        a = to_text(a)
    if isinstance(b, list):
        b = to_text(b)
    a_blank, b_blank = is_blank(a), is_blank(b)
    if a_blank and b_blank:
        return op in ("=", "<=", ">=")
    if a_blank:
        a = _zero_like(b)
        if a is None:
            return op == "!="
    elif b_blank:
        b = _zero_like(a)
        if b is None:
            return op == "!="
    a_date, b_date = isinstance(a, datetime | date), isinstance(b, datetime | date)
    if a_date or b_date:
        if a_date and b_date:
            return _OPS[op](as_datetime(a), as_datetime(b))
        other = b if a_date else a
        if isinstance(other, str):
            try:
                parsed = to_date(other)
            except Fail:
                return op == "!="
            a, b = (as_datetime(a), parsed) if a_date else (parsed, as_datetime(b))
            return _OPS[op](a, b)
        raise Fail("cannot compare a date with a number")
    a_num, b_num = isinstance(a, bool) or is_number(a), isinstance(b, bool) or is_number(b)
    if a_num and b_num:
        # Every comparison with NaN is false but !=, as in Airtable (and IEEE).
        return _OPS[op](arith_number(a), arith_number(b))
    if a_num or b_num:
        text = b if a_num else a
        if not NUMERIC_RE.match(text):
            return op == "!="
        return _OPS[op](arith_number(a), arith_number(b))
    return _OPS[op](to_text(a), to_text(b))


def normalize_result(v: Any) -> Any:
    """Final shape of a formula value: integral floats become ints (JSON-friendly), dates stay datetimes."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, list):
        return [normalize_result(item) for item in v]
    if isinstance(v, datetime) and v.tzinfo is not None and v.utcoffset() is not None and v.tzinfo is not UTC:
        return v.astimezone(UTC)  # a SET_TIMEZONE zone only changes how DATETIME_FORMAT shows it
    return v


def flatten(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if isinstance(v, list):
            out.extend(flatten(v))
        else:
            out.append(v)
    return out


def to_json_value(v: Any) -> Any:
    """A formula result as JSON: dates as ISO 8601 UTC text, errors as {"error": "#ERROR!"}, NaN and
    Infinity as {"specialValue": ...}."""
    if isinstance(v, ErrorValue):
        return v.as_json()
    if is_special(v):
        return special_json(v)
    if isinstance(v, datetime | date):
        return format_datetime_iso(as_datetime(v))
    if isinstance(v, list):
        return [to_json_value(item) for item in v]
    return normalize_result(v)
