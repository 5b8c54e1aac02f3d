"""Dates for formulas: moment.js-style format specifiers (rendered in Python and as PostgreSQL to_char),
parsing, units for DATEADD / DATETIME_DIFF / IS_SAME. Everything is UTC."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from pybase.formulas.values import Fail

MONTHS = list(calendar.month_name)[1:]
MONTHS_SHORT = list(calendar.month_abbr)[1:]
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

# Localised shorthands expand to plain tokens (English locale).
_LOCALISED = {
    "LTS": "h:mm:ss A",
    "LT": "h:mm A",
    "LLLL": "dddd, MMMM D, YYYY h:mm A",
    "LLL": "MMMM D, YYYY h:mm A",
    "LL": "MMMM D, YYYY",
    "L": "MM/DD/YYYY",
    "llll": "ddd, MMM D, YYYY h:mm A",
    "lll": "MMM D, YYYY h:mm A",
    "ll": "MMM D, YYYY",
    "l": "M/D/YYYY",
}

# Format tokens, longest first; each maps to a PostgreSQL to_char pattern (None: no equivalent).
_PG = {
    "YYYY": "YYYY",
    "YY": "YY",
    "Q": "Q",
    "MMMM": "FMMonth",
    "MMM": "Mon",
    "MM": "MM",
    "Mo": "FMMMth",
    "M": "FMMM",
    "DDDD": "DDD",
    "DDD": "FMDDD",
    "DD": "DD",
    "Do": "FMDDth",
    "D": "FMDD",
    "dddd": "FMDay",
    "ddd": "Dy",
    "dd": None,
    "d": None,
    "E": "ID",
    "WW": "IW",
    "W": "FMIW",
    "HH": "HH24",
    "H": "FMHH24",
    "hh": "HH12",
    "h": "FMHH12",
    "mm": "MI",
    "m": "FMMI",
    "ss": "SS",
    "s": "FMSS",
    "SSS": "MS",
    "SS": None,
    "S": None,
    "A": "AM",
    "a": "am",
    "ZZ": '"+0000"',
    "Z": '"+00:00"',
    "X": None,
    "x": None,
}
_TOKENS = sorted([*_PG, *_LOCALISED], key=len, reverse=True)
_TOKEN_RE = re.compile(r"\[[^\]]*\]|" + "|".join(re.escape(t) for t in _TOKENS) + r"|.", re.S)


@dataclass(frozen=True)
class FormatPart:
    token: str | None  # a format token, or None for literal text
    text: str


def tokenize_format(fmt: str) -> list[FormatPart]:
    parts: list[FormatPart] = []
    for m in _TOKEN_RE.finditer(fmt):
        piece = m.group()
        if piece in _LOCALISED:
            parts.extend(tokenize_format(_LOCALISED[piece]))
        elif piece in _PG:
            parts.append(FormatPart(piece, piece))
        else:
            literal = piece[1:-1] if piece.startswith("[") and piece.endswith("]") and len(piece) > 1 else piece
            if parts and parts[-1].token is None:
                parts[-1] = FormatPart(None, parts[-1].text + literal)
            else:
                parts.append(FormatPart(None, literal))
    return parts


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _render_token(token: str, d: datetime) -> str:
    dow = (d.weekday() + 1) % 7  # 0 = Sunday, as moment's "d"
    hour12 = d.hour % 12 or 12
    iso_year, iso_week, iso_dow = d.isocalendar()
    del iso_year
    match token:
        case "YYYY":
            return f"{d.year:04d}"
        case "YY":
            return f"{d.year % 100:02d}"
        case "Q":
            return str((d.month - 1) // 3 + 1)
        case "MMMM":
            return MONTHS[d.month - 1]
        case "MMM":
            return MONTHS_SHORT[d.month - 1]
        case "MM":
            return f"{d.month:02d}"
        case "Mo":
            return _ordinal(d.month)
        case "M":
            return str(d.month)
        case "DDDD":
            return f"{d.timetuple().tm_yday:03d}"
        case "DDD":
            return str(d.timetuple().tm_yday)
        case "DD":
            return f"{d.day:02d}"
        case "Do":
            return _ordinal(d.day)
        case "D":
            return str(d.day)
        case "dddd":
            return WEEKDAYS[dow]
        case "ddd":
            return WEEKDAYS[dow][:3]
        case "dd":
            return WEEKDAYS[dow][:2]
        case "d":
            return str(dow)
        case "E":
            return str(iso_dow)
        case "WW":
            return f"{iso_week:02d}"
        case "W":
            return str(iso_week)
        case "HH":
            return f"{d.hour:02d}"
        case "H":
            return str(d.hour)
        case "hh":
            return f"{hour12:02d}"
        case "h":
            return str(hour12)
        case "mm":
            return f"{d.minute:02d}"
        case "m":
            return str(d.minute)
        case "ss":
            return f"{d.second:02d}"
        case "s":
            return str(d.second)
        case "SSS":
            return f"{d.microsecond // 1000:03d}"
        case "SS":
            return f"{d.microsecond // 10000:02d}"
        case "S":
            return str(d.microsecond // 100000)
        case "A":
            return "AM" if d.hour < 12 else "PM"
        case "a":
            return "am" if d.hour < 12 else "pm"
        case "ZZ":
            return "+0000"
        case "Z":
            return "+00:00"
        case "X":
            return str(int(d.timestamp()))
        case "x":
            return str(int(d.timestamp() * 1000))
    raise AssertionError(token)


DEFAULT_FORMAT = "YYYY-MM-DDTHH:mm:ss.SSS[Z]"


def format_datetime(d: datetime, fmt: str | None, zone: tzinfo | None = None) -> str:
    """`d` formatted in UTC, or in `zone` (a date given SET_TIMEZONE)."""
    d = d.astimezone(zone or UTC)
    return "".join(
        part.text if part.token is None else _render_token(part.token, d)
        for part in tokenize_format(fmt or DEFAULT_FORMAT)
    )


def pg_format(fmt: str) -> str | None:
    """The PostgreSQL to_char pattern for a moment format, or None when some token has no equivalent."""
    out: list[str] = []
    for part in tokenize_format(fmt or DEFAULT_FORMAT):
        if part.token is None:
            out.append('"' + part.text.replace("\\", "\\\\").replace('"', '\\"') + '"')
            continue
        pattern = _PG[part.token]
        if pattern is None:
            return None
        out.append(pattern)
    return "".join(out)


# ---- parsing -------------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.I,
)
_FALLBACK_FORMATS = (
    "M/D/YYYY h:mm A",
    "M/D/YYYY H:mm",
    "M/D/YYYY",
    "MMMM D, YYYY",
    "MMM D, YYYY",
    "D MMMM YYYY",
    "D MMM YYYY",
    "YYYY/M/D",
)


def parse_datetime(text: str, fmt: str | None) -> datetime:
    text = text.strip()
    if fmt:
        return _parse_with_format(text, fmt)
    m = _ISO_RE.match(text)
    if m:
        year, month, day, hour, minute, second, frac, tz = m.groups()
        try:
            d = datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                int((frac or "0").ljust(6, "0")),
                tzinfo=UTC,
            )
        except ValueError as exc:
            raise Fail(f"invalid date {text!r}") from exc
        if tz and tz.upper() != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            d -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return d
    for candidate in _FALLBACK_FORMATS:
        try:
            return _parse_with_format(text, candidate)
        except Fail:
            continue
    raise Fail(f"cannot read {text[:40]!r} as a date")


_PARSE_PATTERNS = {
    "YYYY": r"(?P<year>\d{4})",
    "YY": r"(?P<year2>\d{2})",
    "MMMM": r"(?P<monthname>[A-Za-z]+)",
    "MMM": r"(?P<monthname>[A-Za-z]+)",
    "MM": r"(?P<month>\d{1,2})",
    "M": r"(?P<month>\d{1,2})",
    "DD": r"(?P<day>\d{1,2})",
    "D": r"(?P<day>\d{1,2})",
    "Do": r"(?P<day>\d{1,2})(?:st|nd|rd|th)",
    "dddd": r"[A-Za-z]+",
    "ddd": r"[A-Za-z]+",
    "HH": r"(?P<hour>\d{1,2})",
    "H": r"(?P<hour>\d{1,2})",
    "hh": r"(?P<hour>\d{1,2})",
    "h": r"(?P<hour>\d{1,2})",
    "mm": r"(?P<minute>\d{1,2})",
    "m": r"(?P<minute>\d{1,2})",
    "ss": r"(?P<second>\d{1,2})",
    "s": r"(?P<second>\d{1,2})",
    "SSS": r"(?P<ms>\d{1,3})",
    "A": r"(?P<ampm>[AaPp][Mm])",
    "a": r"(?P<ampm>[AaPp][Mm])",
    "Z": r"(?P<tz>Z|[+-]\d{2}:?\d{2})",
    "ZZ": r"(?P<tz>Z|[+-]\d{2}:?\d{2})",
    "X": r"(?P<unix>-?\d+(?:\.\d+)?)",
    "x": r"(?P<unixms>-?\d+)",
}


def _parse_with_format(text: str, fmt: str) -> datetime:
    regex: list[str] = []
    for part in tokenize_format(fmt):
        if part.token is None:
            regex.append(r"\s+" if part.text.isspace() else re.escape(part.text))
        elif part.token in _PARSE_PATTERNS:
            regex.append(_PARSE_PATTERNS[part.token])
        else:
            raise Fail(f"format token {part.token} cannot be used for parsing")
    try:
        m = re.fullmatch("".join(regex), text, re.I)
    except re.error as exc:  # the same group used twice
        raise Fail(f"ambiguous date format {fmt!r}") from exc
    if not m:
        raise Fail(f"{text[:40]!r} does not match the format {fmt!r}")
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    if "unix" in g:
        return datetime.fromtimestamp(float(g["unix"]), UTC)
    if "unixms" in g:
        return datetime.fromtimestamp(int(g["unixms"]) / 1000, UTC)
    year = int(g["year"]) if "year" in g else (2000 + int(g["year2"]) if "year2" in g else 1970)
    if "monthname" in g:
        name = g["monthname"][:3].title()
        if name not in MONTHS_SHORT:
            raise Fail(f"unknown month {g['monthname']!r}")
        month = MONTHS_SHORT.index(name) + 1
    else:
        month = int(g.get("month", 1))
    hour = int(g.get("hour", 0))
    if "ampm" in g:
        hour = hour % 12 + (12 if g["ampm"].lower() == "pm" else 0)
    try:
        d = datetime(
            year,
            month,
            int(g.get("day", 1)),
            hour,
            int(g.get("minute", 0)),
            int(g.get("second", 0)),
            int(g.get("ms", "0").ljust(3, "0")) * 1000,
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise Fail(f"invalid date {text!r}") from exc
    tz = g.get("tz")
    if tz and tz.upper() != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        d -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return d


# ---- units ---------------------------------------------------------------------------------------------

UNIT_ALIASES = {
    "milliseconds": "milliseconds",
    "millisecond": "milliseconds",
    "ms": "milliseconds",
    "seconds": "seconds",
    "second": "seconds",
    "s": "seconds",
    "minutes": "minutes",
    "minute": "minutes",
    "m": "minutes",
    "hours": "hours",
    "hour": "hours",
    "h": "hours",
    "days": "days",
    "day": "days",
    "d": "days",
    "weeks": "weeks",
    "week": "weeks",
    "w": "weeks",
    "months": "months",
    "month": "months",
    "M": "months",
    "quarters": "quarters",
    "quarter": "quarters",
    "Q": "quarters",
    "years": "years",
    "year": "years",
    "y": "years",
}
SECONDS_PER_UNIT = {"milliseconds": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
MONTHS_PER_UNIT = {"months": 1, "quarters": 3, "years": 12}


def normalize_unit(unit: str) -> str:
    """Canonical unit name; single letters are case-sensitive as in moment ("M" months, "m" minutes)."""
    unit = unit.strip()
    found = UNIT_ALIASES.get(unit) or UNIT_ALIASES.get(unit.lower()) if len(unit) > 2 else UNIT_ALIASES.get(unit)
    if not found:
        raise Fail(f"unknown unit {unit!r}")
    return found


def add_months(d: datetime, months: int) -> datetime:
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise Fail("date out of range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return d.replace(year=year, month=month + 1, day=day)


# Limits shared with the SQL side so both reject the same additions (dates stay within years 1..9999).
MAX_ADD_MONTHS = 120_000
MAX_ADD_SECONDS = 3.2e11


def date_add(d: datetime, count: float, unit: str) -> datetime:
    unit = normalize_unit(unit)
    try:
        if unit in MONTHS_PER_UNIT:
            months = int(count) * MONTHS_PER_UNIT[unit]  # whole months only, truncated toward zero
            if abs(months) > MAX_ADD_MONTHS:
                raise Fail("date out of range")
            return add_months(d, months)
        seconds = count * SECONDS_PER_UNIT[unit]
        if abs(seconds) > MAX_ADD_SECONDS:
            raise Fail("date out of range")
        return d + timedelta(seconds=seconds)
    except OverflowError as exc:
        raise Fail("date out of range") from exc


def _full_months(earlier: datetime, later: datetime) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if (later.day, later.time()) < (earlier.day, earlier.time()):
        months -= 1
    return months


def date_diff(a: datetime, b: datetime, unit: str) -> int:
    """a - b in whole units, truncated toward zero (months count calendar months fully elapsed)."""
    unit = normalize_unit(unit)
    if unit in MONTHS_PER_UNIT:
        months = _full_months(b, a) if a >= b else -_full_months(a, b)
        return int(months / MONTHS_PER_UNIT[unit])
    seconds = (a - b) / timedelta(seconds=1)
    return int(seconds / SECONDS_PER_UNIT[unit])


def start_of(d: datetime, unit: str) -> datetime:
    unit = normalize_unit(unit)
    if unit == "milliseconds":
        return d.replace(microsecond=d.microsecond // 1000 * 1000)
    if unit == "seconds":
        return d.replace(microsecond=0)
    if unit == "minutes":
        return d.replace(second=0, microsecond=0)
    if unit == "hours":
        return d.replace(minute=0, second=0, microsecond=0)
    day = d.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "days":
        return day
    if unit == "weeks":  # weeks start on Sunday (moment's default locale)
        return day - timedelta(days=(d.weekday() + 1) % 7)
    if unit == "months":
        return day.replace(day=1)
    if unit == "quarters":
        return day.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def today(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)


__all__ = ["date", "date_add", "date_diff", "format_datetime", "parse_datetime", "pg_format", "start_of"]
