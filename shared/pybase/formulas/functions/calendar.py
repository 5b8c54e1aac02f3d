"""Calendar functions of Airtable's reference: WEEKNUM, WORKDAY, WORKDAY_DIFF, TIMESTR, TONOW, FROMNOW,
SET_TIMEZONE, SET_LOCALE. Dates are UTC unless SET_TIMEZONE gave one a zone (used by DATETIME_FORMAT
and TIMESTR)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from pybase.formulas import dates as d
from pybase.formulas.errors import NotCompilable
from pybase.formulas.registry import register
from pybase.formulas.sql import DOUBLE, SqlCompiler, SqlValue, as_date, literal_text, utc
from pybase.formulas.values import Fail, to_date, to_number, to_text

Args = Sequence[SqlValue]
# WORKDAY jumps whole weeks, then steps at most 4 days plus the holidays: bounded work for any count.
MAX_WORKDAYS = 2_000_000


def _week_start(nodes: Sequence[Any], index: int) -> str:
    if len(nodes) <= index:
        return "sunday"
    text = literal_text(nodes[index])
    if text is None or text.strip().lower() not in ("sunday", "monday"):
        raise NotCompilable("a week start that is not 'Sunday' or 'Monday'")
    return text.strip().lower()


def _weeknum_sql(c: SqlCompiler, args: Args, nodes: Sequence[Any]) -> SqlValue:
    date = as_date(args[0])
    u = utc(date.expr)
    jan1 = sa.func.date_trunc("year", u)
    offset = sa.extract("dow", jan1) if _week_start(nodes, 1) == "sunday" else sa.extract("isodow", jan1) - 1
    week = sa.func.floor((sa.extract("doy", u) - 1 + offset) / 7) + 1
    return SqlValue(sa.cast(week, DOUBLE), "number", date.err)


@register("WEEKNUM", 1, 2, result_type="number", sql=_weeknum_sql)
def weeknum(ev: Any, date: Any, *start: Any) -> float | None:
    """WEEKNUM(date, [start 'Sunday'|'Monday']): week of the year; the week holding January 1 is week 1."""
    value = to_date(date)
    if value is None:
        return None
    first = to_text(start[0]).strip().lower() if start else "sunday"
    if first not in ("sunday", "monday"):
        raise Fail("WEEKNUM start must be 'Sunday' or 'Monday'")
    jan1 = value.replace(month=1, day=1)
    offset = jan1.weekday() if first == "monday" else (jan1.weekday() + 1) % 7
    return float((value.timetuple().tm_yday - 1 + offset) // 7 + 1)


def _holidays(value: Any) -> set[Any]:
    """Holidays as dates, from a comma-separated text of dates (or a list of dates)."""
    items: list[Any] = value if isinstance(value, list) else to_text(value).split(",")
    out = set()
    for item in items:
        parsed = to_date(item.strip() if isinstance(item, str) else item)
        if parsed is not None:
            out.add(parsed.date())
    return out


def _is_workday(day: Any, holidays: set[Any]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _add_workdays(start: Any, count: int, holidays: set[Any]) -> Any:
    step = 1 if count >= 0 else -1
    weeks, rest = divmod(abs(count), 5)
    day = start + timedelta(days=7 * weeks * step)  # any 7 days in a row hold 5 weekdays
    low, high = (start, day) if step > 0 else (day, start)
    # Weekday holidays the jump went over are made up for by stepping on (the steps skip holidays).
    rest += sum(1 for h in holidays if h.weekday() < 5 and low <= h <= high and h != start)
    while rest:
        day += timedelta(days=step)
        if _is_workday(day, holidays):
            rest -= 1
    return day


@register("WORKDAY", 2, 3, result_type="date")
def workday(ev: Any, start: Any, count: Any, *holidays: Any) -> datetime | None:
    """WORKDAY(start, days, [holidays]): the date `days` working days (Monday-Friday, not a holiday) after
    start (before it when negative); holidays a comma-separated text of dates."""
    value, amount = to_date(start), to_number(count)
    if value is None:
        return None
    days = int(amount)
    if abs(days) > MAX_WORKDAYS:
        raise Fail("WORKDAY count out of range")
    result = _add_workdays(value.date(), days, _holidays(holidays[0]) if holidays else set())
    try:
        return datetime(result.year, result.month, result.day, tzinfo=UTC)
    except (ValueError, OverflowError):
        raise Fail("WORKDAY result out of range") from None


def _weekdays_between(first: Any, last: Any) -> int:
    """Weekdays in [first, last], first <= last."""
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(rest):
        if (first + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


@register("WORKDAY_DIFF", 2, 3, result_type="number")
def workday_diff(ev: Any, start: Any, end: Any, *holidays: Any) -> float | None:
    """WORKDAY_DIFF(start, end, [holidays]): working days from start to end, both counted (negative when end
    is before start); holidays a comma-separated text of dates."""
    a, b = to_date(start), to_date(end)
    if a is None or b is None:
        return None
    first, last = sorted((a.date(), b.date()))
    count = _weekdays_between(first, last)
    count -= sum(1 for h in (_holidays(holidays[0]) if holidays else ()) if first <= h <= last and h.weekday() < 5)
    return float(count if a.date() <= b.date() else -count)


def _zone_of(value: Any) -> Any:
    """The zone SET_TIMEZONE gave a date, or UTC."""
    return value.tzinfo if isinstance(value, datetime) and value.tzinfo is not None else UTC


def _timestr_sql(c: SqlCompiler, args: Args, nodes: Sequence[Any]) -> SqlValue:
    date = as_date(args[0])
    return SqlValue(sa.func.to_char(utc(date.expr), "HH24:MI:SS"), "text", date.err)


@register("TIMESTR", 1, 1, sql=_timestr_sql)
def timestr(ev: Any, date: Any) -> str | None:
    """TIMESTR(date): the time of day, HH:mm:ss."""
    zone = _zone_of(date)
    value = to_date(date)
    return None if value is None else d.format_datetime(value, "HH:mm:ss", zone)


def _days_from_now_sql(c: SqlCompiler, args: Args, nodes: Sequence[Any]) -> SqlValue:
    date = as_date(args[0])
    seconds = sa.cast(sa.extract("epoch", c.now), sa.Numeric) - sa.cast(sa.extract("epoch", date.expr), sa.Numeric)
    return SqlValue(sa.cast(sa.func.abs(sa.func.trunc(seconds / 86400)), DOUBLE), "number", date.err)


def _days_from_now(ev: Any, date: Any) -> float | None:
    value = to_date(date)
    if value is None:
        return None
    return float(abs(d.date_diff(ev.now, value, "days")))


_days_from_now.__doc__ = "TONOW(date) / FROMNOW(date): whole days between now and date, either way."
for _name in ("TONOW", "FROMNOW"):
    register(_name, 1, 1, result_type="number", sql=_days_from_now_sql)(_days_from_now)


@register("SET_TIMEZONE", 2, 2, result_type="date")
def set_timezone(ev: Any, date: Any, zone: Any) -> datetime | None:
    """SET_TIMEZONE(date, 'Europe/Paris'): the same instant, shown in that zone by DATETIME_FORMAT and
    TIMESTR; the value itself (and the API output, in UTC) is unchanged."""
    value = to_date(date)
    if value is None:
        return None
    name = to_text(zone).strip()
    try:
        return value.astimezone(ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise Fail(f"unknown time zone {name!r}") from None


@register("SET_LOCALE", 2, 2, result_type="date")
def set_locale(ev: Any, date: Any, locale: Any) -> datetime | None:
    """SET_LOCALE(date, locale): accepted for compatibility; dates are formatted with English names."""
    to_text(locale)
    return date if isinstance(date, datetime) else to_date(date)
