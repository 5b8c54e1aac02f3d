"""Date, date-time (with time zone), created time and last modified time.

Dates are stored as "YYYY-MM-DD" and date-times as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ": fixed-width
strings whose byte order is their time order, so SQL compares them as text under COLLATE "C"
(an index on a text expression is IMMUTABLE; a cast to timestamptz would not be).
Filters resolve every date value ("today", "past_week", an exact date, ...) to a half-open range of
calendar days in the field's time zone, then compare against that range's bounds.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    Params,
    RowLike,
    WriteContext,
    bad_options,
    data_text,
    keep_common,
)
from pybase.fields.types.ops import op_is_empty, op_is_not_empty

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldValueError(f"Unknown time zone {name!r}.") from None


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date(value: Any, *, typecast: bool, day_first: bool = False) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise FieldValueError(f"Expected a date like 2024-05-31, got {type(value).__name__}.")
    text = value.strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if typecast:
            if m := _YMD_SLASH.match(text):
                return date(int(m[1]), int(m[2]), int(m[3]))
            if m := _US_DATE.match(text):
                a, b, year = int(m[1]), int(m[2]), int(m[3])
                return date(year, b, a) if day_first else date(year, a, b)
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    raise FieldValueError(f"Expected a date like 2024-05-31, got {value!r}.")


def format_instant(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(value: Any, tz: ZoneInfo, *, typecast: bool) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            if not typecast:
                raise FieldValueError(f"Expected an ISO 8601 date-time, got {value!r}.") from None
            moment = datetime.combine(parse_date(text, typecast=True), time())
    elif typecast and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise FieldValueError(f"The timestamp {value!r} is out of range.") from None
    else:
        raise FieldValueError(f"Expected an ISO 8601 date-time, got {type(value).__name__}.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if not 1 <= moment.astimezone(UTC).year <= 9999:
        raise FieldValueError("Date-times must fall in the years 1 to 9999.")
    return moment


RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}


def resolve_range(value: Any, tz: ZoneInfo, *, within: bool) -> tuple[date, date] | datetime:
    """A filter value -> [first day, day after last) in `tz`, or an exact instant."""
    if isinstance(value, dict):
        mode = str(value.get("mode") or value.get("period") or "exact_date")
        if value.get("timezone"):
            tz = zone(value["timezone"])
        days = value.get("days", value.get("number"))
        exact = value.get("date")
    else:
        mode, days, exact = (str(value), None, None) if not _looks_dated(value) else ("exact_date", None, value)
    mode = mode.strip().lower().replace(" ", "_")
    today = datetime.now(tz).date()
    if mode in RELATIVE_DAYS:
        day = today + timedelta(days=RELATIVE_DAYS[mode])
        return day, day + timedelta(days=1)
    if mode == "exact_date":
        if exact is None:
            raise FieldValueError("exact_date needs a 'date'.")
        if isinstance(exact, str) and "T" in exact:
            return parse_instant(exact, tz, typecast=False)
        day = parse_date(exact, typecast=True)
        return day, day + timedelta(days=1)
    end = today + timedelta(days=1)
    periods = {
        "past_week": (today - timedelta(days=7), end),
        "past_month": (add_months(today, -1), end),
        "past_year": (add_months(today, -12), end),
        "next_week": (today, today + timedelta(days=8)),
        "next_month": (today, add_months(today, 1) + timedelta(days=1)),
        "next_year": (today, add_months(today, 12) + timedelta(days=1)),
        "this_week": (today - timedelta(days=today.weekday()), today + timedelta(days=7 - today.weekday())),
        "this_month": (today.replace(day=1), add_months(today.replace(day=1), 1)),
        "this_year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "one_week_ago": (today - timedelta(days=7), today - timedelta(days=6)),
        "one_week_from_now": (today + timedelta(days=7), today + timedelta(days=8)),
        "one_month_ago": (add_months(today, -1), add_months(today, -1) + timedelta(days=1)),
        "one_month_from_now": (add_months(today, 1), add_months(today, 1) + timedelta(days=1)),
    }
    if mode in periods:
        return periods[mode]
    if mode in ("next_number_of_days", "past_number_of_days", "number_of_days_ago", "number_of_days_from_now"):
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 100_000:
            raise FieldValueError(f"{mode} needs 'days', a whole number of days.")
        if mode == "next_number_of_days":
            return today, today + timedelta(days=days + 1)
        if mode == "past_number_of_days":
            return today - timedelta(days=days), end
        day = today + timedelta(days=-days if mode == "number_of_days_ago" else days)
        return day, day + timedelta(days=1)
    raise FieldValueError(f"Unknown date value or period {mode!r}.")


def _looks_dated(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()) or "/" in value)


class DateBase(FieldType):
    """Shared filter logic; subclasses say how a day boundary or instant is written for SQL."""

    def field_zone(self, field: FieldLike) -> ZoneInfo:
        return zone(field.options.get("timezone"))

    def day_bound(self, day: date, field: FieldLike, tz: ZoneInfo) -> Any:
        raise NotImplementedError

    def instant_bound(self, moment: datetime) -> Any:
        raise NotImplementedError

    def bounds(self, value: Any, field: FieldLike, *, within: bool = False) -> tuple[Any, Any]:
        if value is None or value == "":
            raise FieldValueError("This operator needs a date.")
        tz = self.field_zone(field)
        if isinstance(value, dict) and value.get("timezone"):
            tz = zone(value["timezone"])
        resolved = resolve_range(value, tz, within=within)
        if isinstance(resolved, datetime):
            return self.instant_bound(resolved), self.instant_bound(resolved + timedelta(milliseconds=1))
        return self.day_bound(resolved[0], field, tz), self.day_bound(resolved[1], field, tz)

    def _range(self, f: FieldLike, value: Any, ps: Params, *, within: bool = False) -> str:
        lo, hi = self.bounds(value, f, within=within)
        e = self.value_expr(f)
        return f"({e} >= {ps.add(lo, self.sql_type)} AND {e} < {ps.add(hi, self.sql_type)})"

    @staticmethod
    def _is(t: DateBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return t._range(f, value, ps)

    @staticmethod
    def _is_not(t: DateBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"(NOT coalesce({t._range(f, value, ps)}, false))"

    @staticmethod
    def _within(t: DateBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return t._range(f, value, ps, within=True)

    @staticmethod
    def _side(symbol: str, use_hi: bool):
        def compiler(t: DateBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
            lo, hi = t.bounds(value, f)
            return f"({t.value_expr(f)} {symbol} {ps.add(hi if use_hi else lo, t.sql_type)})"

        return compiler


DateBase.operators = {
    "is": DateBase._is,
    "=": DateBase._is,
    "is_not": DateBase._is_not,
    "!=": DateBase._is_not,
    "is_within": DateBase._within,
    "is_before": DateBase._side("<", False),
    "<": DateBase._side("<", False),
    "is_on_or_before": DateBase._side("<", True),
    "<=": DateBase._side("<", True),
    "is_after": DateBase._side(">=", True),
    ">": DateBase._side(">=", True),
    "is_on_or_after": DateBase._side(">=", False),
    ">=": DateBase._side(">=", False),
    "is_empty": op_is_empty,
    "is_not_empty": op_is_not_empty,
}
DateBase.index_kinds = {
    op: "btree" for op in DateBase.operators if op not in ("is_empty", "is_not_empty", "is_not", "!=")
}


def _clean_zone(options: dict[str, Any]) -> dict[str, Any]:
    out = keep_common(options)
    if options.get("timezone"):
        try:
            zone(options["timezone"])
        except FieldValueError as exc:
            raise bad_options(exc.message, option="timezone") from None
        out["timezone"] = options["timezone"]
    return out


@register
class DateField(DateBase):
    name = "date"
    sql_type = "text"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = _clean_zone(options)
        if options.get("format") in ("iso", "us", "european"):
            out["format"] = options["format"]
        return out

    def value_expr(self, field: FieldLike) -> str:
        return f'({data_text(field.id)} COLLATE "C")'

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        day_first = field.options.get("format") == "european"
        return parse_date(value, typecast=ctx.typecast, day_first=day_first).isoformat()

    def day_bound(self, day: date, field: FieldLike, tz: ZoneInfo) -> Any:
        return day.isoformat()

    def instant_bound(self, moment: datetime) -> Any:
        return moment.date().isoformat()


@register
class DateTimeField(DateBase):
    name = "datetime"
    sql_type = "text"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = _clean_zone(options)
        out.setdefault("timezone", "UTC")
        return out

    def value_expr(self, field: FieldLike) -> str:
        return f'({data_text(field.id)} COLLATE "C")'

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        return format_instant(parse_instant(value, self.field_zone(field), typecast=ctx.typecast))

    def day_bound(self, day: date, field: FieldLike, tz: ZoneInfo) -> Any:
        return format_instant(datetime.combine(day, time(), tz))

    def instant_bound(self, moment: datetime) -> Any:
        return format_instant(moment)


class SystemTime(DateBase):
    """Created / last modified time: read from the record's own columns, never written."""

    read_only = True
    sql_type = "timestamptz"
    column = ""

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        return _clean_zone(options)

    def value_expr(self, field: FieldLike) -> str:
        return f"r.{self.column}"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        raise FieldValueError("This field is computed and cannot be written.")

    def read(self, row: RowLike, field: FieldLike) -> Any:
        return format_instant(getattr(row, self.column))

    def day_bound(self, day: date, field: FieldLike, tz: ZoneInfo) -> Any:
        return datetime.combine(day, time(), tz)

    def instant_bound(self, moment: datetime) -> Any:
        return moment


@register
class CreatedTime(SystemTime):
    name = "created_time"
    column = "created_at"


@register
class LastModifiedTime(SystemTime):
    name = "last_modified_time"
    column = "updated_at"
