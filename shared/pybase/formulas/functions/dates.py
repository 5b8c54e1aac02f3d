"""Date functions: NOW, TODAY, DATEADD, DATETIME_DIFF, DATETIME_FORMAT, DATETIME_PARSE, DATESTR, YEAR,
MONTH, DAY, HOUR, MINUTE, SECOND, WEEKDAY, IS_BEFORE, IS_AFTER, IS_SAME. All in UTC."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pybase.formulas import dates as d
from pybase.formulas.errors import FormulaError, NotCompilable, Position
from pybase.formulas.nodes import Call
from pybase.formulas.registry import register
from pybase.formulas.sql import (
    DOUBLE,
    SqlCompiler,
    SqlValue,
    any_err,
    as_date,
    as_number,
    from_utc,
    guarded,
    literal_text,
    not_null,
    utc,
)
from pybase.formulas.values import Fail, to_date, to_number, to_text

Args = Sequence[SqlValue]


def unit_check(index: int) -> Callable[[Call, str], None]:
    """Parse-time check that a literal unit argument is a known unit."""

    def check(call: Call, source: str) -> None:
        if len(call.args) > index:
            unit = literal_text(call.args[index])
            if unit is not None:
                try:
                    d.normalize_unit(unit)
                except Fail:
                    raise FormulaError(
                        f"{call.name}(): unknown unit {unit!r}", Position.at(source, call.args[index].start)
                    ) from None

    return check


def _sql_unit(nodes: Sequence[Any], index: int, default: str | None) -> str | None:
    if len(nodes) <= index:
        return default
    unit = literal_text(nodes[index])
    if unit is None:
        raise NotCompilable("a unit that is not a text literal")
    try:
        return d.normalize_unit(unit)
    except Fail as exc:
        raise NotCompilable(str(exc)) from exc


@register("NOW", 0, 0, result_type="date", sql=lambda c, a, n: SqlValue(c.now, "date"))
def now(ev: Any) -> datetime:
    """NOW(): the current date and time (UTC)."""
    return ev.now


@register(
    "TODAY",
    0,
    0,
    result_type="date",
    sql=lambda c, a, n: SqlValue(from_utc(sa.func.date_trunc("day", utc(c.now))), "date"),
)
def today(ev: Any) -> datetime:
    """TODAY(): the current date at midnight UTC."""
    return d.today(ev.now)


# Python datetimes cover years 1..9999; additions leaving that range are errors on both sides (and
# are kept away from PostgreSQL, which would raise for results before 4713 BC).
_MIN_EPOCH = -62135596800  # 0001-01-01T00:00:00Z
_MAX_EPOCH = 253402300800  # 10000-01-01T00:00:00Z


def _dateadd_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    date = as_date(args[0])
    count = as_number(args[1])
    unit = _sql_unit(nodes, 2, None)
    assert unit is not None
    u = utc(date.expr)
    if unit in d.MONTHS_PER_UNIT:
        months = sa.func.trunc(count.expr) * d.MONTHS_PER_UNIT[unit]
        total = sa.extract("year", u) * 12 + sa.extract("month", u) - 1 + months
        too_far = sa.or_(sa.func.abs(months) > d.MAX_ADD_MONTHS, total < 12, total > 9999 * 12 + 11)
        interval = sa.func.make_interval(0, sa.cast(guarded(sa.not_(too_far), months), sa.Integer))
        expr = from_utc(utc(guarded(sa.not_(too_far), date.expr)) + interval)
    else:
        seconds = count.expr * float(d.SECONDS_PER_UNIT[unit])
        target = sa.cast(sa.extract("epoch", date.expr), DOUBLE) + seconds
        too_far = sa.or_(sa.func.abs(seconds) > d.MAX_ADD_SECONDS, target < _MIN_EPOCH, target >= _MAX_EPOCH)
        expr = guarded(sa.not_(too_far), date.expr) + sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)
    return SqlValue(expr, "date", any_err(date.err, count.err, sa.and_(not_null(date.expr), too_far)))


@register("DATEADD", 3, 3, result_type="date", sql=_dateadd_sql, check=unit_check(2))
def dateadd(ev: Any, date: Any, count: Any, unit: Any) -> datetime | None:
    """DATEADD(date, count, unit): units milliseconds, seconds, minutes, hours, days, weeks, months, quarters,
    years (or ms, s, m, h, d, w, M, Q, y). Month-based units add whole months, clamping the day."""
    value, amount = to_date(date), to_number(count)  # both coerced: a bad count is an error even on blanks
    if value is None:
        return None
    return d.date_add(value, amount, to_text(unit))


def _epoch(expr: Any) -> Any:
    return sa.cast(sa.extract("epoch", expr), sa.Numeric)


def _full_months_sql(earlier: Any, later: Any) -> Any:
    e, lt = utc(earlier), utc(later)
    months = (sa.extract("year", lt) - sa.extract("year", e)) * 12 + sa.extract("month", lt) - sa.extract("month", e)
    pattern = "DDHH24MISSUS"
    behind = sa.func.to_char(lt, pattern).collate("C") < sa.func.to_char(e, pattern).collate("C")
    return sa.cast(months, DOUBLE) - sa.case((behind, 1), else_=0)


def _diff_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    a, b = as_date(args[0]), as_date(args[1])
    unit = _sql_unit(nodes, 2, "seconds")
    assert unit is not None
    if unit in d.MONTHS_PER_UNIT:
        months = sa.case((a.expr >= b.expr, _full_months_sql(b.expr, a.expr)), else_=-_full_months_sql(a.expr, b.expr))
        expr = sa.func.trunc(months / float(d.MONTHS_PER_UNIT[unit]))
    else:
        seconds = _epoch(a.expr) - _epoch(b.expr)
        expr = sa.cast(sa.func.trunc(seconds / sa.cast(sa.literal(str(d.SECONDS_PER_UNIT[unit])), sa.Numeric)), DOUBLE)
    return SqlValue(expr, "number", any_err(a.err, b.err))


@register("DATETIME_DIFF", 2, 3, result_type="number", sql=_diff_sql, check=unit_check(2))
def datetime_diff(ev: Any, a: Any, b: Any, *unit: Any) -> float | None:
    """DATETIME_DIFF(date1, date2, [unit=seconds]): date1 - date2 in whole units (truncated toward zero)."""
    first, second = to_date(a), to_date(b)
    if first is None or second is None:
        return None
    return float(d.date_diff(first, second, to_text(unit[0]) if unit else "seconds"))


def _format_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    date = as_date(args[0])
    fmt = literal_text(nodes[1]) if len(nodes) > 1 else d.DEFAULT_FORMAT
    if fmt is None:
        raise NotCompilable("a date format that is not a text literal")
    pattern = d.pg_format(fmt)
    if pattern is None:
        raise NotCompilable(f"format {fmt!r} uses a token without a PostgreSQL equivalent")
    return SqlValue(sa.func.to_char(utc(date.expr), pattern), "text", date.err)


@register("DATETIME_FORMAT", 1, 2, sql=_format_sql)
def datetime_format(ev: Any, date: Any, *fmt: Any) -> str | None:
    """DATETIME_FORMAT(date, [format]): moment-style specifiers (YYYY, MM, DD, HH, mm, ss, MMMM, Do, ...)."""
    zone = date.tzinfo if isinstance(date, datetime) else None  # SET_TIMEZONE's zone, else UTC
    value = to_date(date)
    if value is None:
        return None
    return d.format_datetime(value, to_text(fmt[0]) if fmt else None, zone)


def _datetime_parse_sql(c: SqlCompiler, a: Args, n: Sequence[Any]) -> SqlValue:
    # Without a format, DATETIME_PARSE reads text exactly as a text literal used as a date is read
    # (to_date), so a literal or a date compiles; parsing a text field's values stays in Python.
    if len(a) == 1 and (a[0].type in ("date", "blank") or (a[0].type == "text" and isinstance(a[0].const, str))):
        return as_date(a[0])
    raise NotCompilable("DATETIME_PARSE() of text that is not a literal, or with a format, runs in Python")


@register("DATETIME_PARSE", 1, 3, result_type="date", sql=_datetime_parse_sql)
def datetime_parse(ev: Any, text: Any, *rest: Any) -> datetime | None:
    """DATETIME_PARSE(text, [format], [locale]): reads a date; ISO 8601 and common formats without a format."""
    if isinstance(text, datetime):
        return text
    raw = to_text(text)
    if raw.strip() == "":
        return None
    fmt = to_text(rest[0]) if rest else None
    return d.parse_datetime(raw, fmt or None)


@register(
    "DATESTR",
    1,
    1,
    sql=lambda c, a, n: SqlValue(sa.func.to_char(utc(as_date(a[0]).expr), "YYYY-MM-DD"), "text", a[0].err),
)
def datestr(ev: Any, date: Any) -> str | None:
    """DATESTR(date): YYYY-MM-DD."""
    value = to_date(date)
    return None if value is None else d.format_datetime(value, "YYYY-MM-DD")


def _part_sql(field: str) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        date = as_date(args[0])
        part = sa.func.floor(sa.extract(field, utc(date.expr)))
        return SqlValue(sa.cast(part, DOUBLE), "number", date.err)

    return build


def _part(getter: Callable[[datetime], int]) -> Callable[..., float | None]:
    def impl(ev: Any, date: Any) -> float | None:
        value = to_date(date)
        return None if value is None else float(getter(value))

    return impl


for _name, _field, _getter in (
    ("YEAR", "year", lambda v: v.year),
    ("MONTH", "month", lambda v: v.month),
    ("DAY", "day", lambda v: v.day),
    ("HOUR", "hour", lambda v: v.hour),
    ("MINUTE", "minute", lambda v: v.minute),
    ("SECOND", "second", lambda v: v.second),
):
    _impl = _part(_getter)
    _impl.__doc__ = f"{_name}(date): the {_field} (UTC)."
    register(_name, 1, 1, result_type="number", sql=_part_sql(_field))(_impl)


def _week_start(value: Any) -> str:
    start = to_text(value).strip().lower()
    if start not in ("sunday", "monday"):
        raise Fail("WEEKDAY start must be 'Sunday' or 'Monday'")
    return start


def _weekday_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    date = as_date(args[0])
    start = "sunday"
    if len(nodes) > 1:
        text = literal_text(nodes[1])
        if text is None or text.strip().lower() not in ("sunday", "monday"):
            raise NotCompilable("WEEKDAY start that is not 'Sunday' or 'Monday'")
        start = text.strip().lower()
    u = utc(date.expr)
    expr = sa.extract("dow", u) if start == "sunday" else sa.extract("isodow", u) - 1
    return SqlValue(sa.cast(expr, DOUBLE), "number", date.err)


@register("WEEKDAY", 1, 2, result_type="number", sql=_weekday_sql)
def weekday(ev: Any, date: Any, *start: Any) -> float | None:
    """WEEKDAY(date, [start 'Sunday'|'Monday']): 0 for the first day of the week."""
    value = to_date(date)
    if value is None:
        return None
    monday = bool(start) and _week_start(start[0]) == "monday"
    return float(value.weekday() if monday else (value.weekday() + 1) % 7)


def _start_of_sql(expr: Any, unit: str) -> Any:
    u = utc(expr)
    if unit == "weeks":
        day = sa.func.date_trunc("day", u)
        return day - sa.func.make_interval(0, 0, 0, sa.cast(sa.extract("dow", u), sa.Integer))
    name = {
        "milliseconds": "milliseconds",
        "seconds": "second",
        "minutes": "minute",
        "hours": "hour",
        "days": "day",
        "months": "month",
        "quarters": "quarter",
        "years": "year",
    }[unit]
    return sa.func.date_trunc(name, u)


def _date_cmp_sql(op: str) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        a, b = as_date(args[0]), as_date(args[1])
        if op == "same" and len(nodes) > 2:
            unit = _sql_unit(nodes, 2, None)
            assert unit is not None
            test = _start_of_sql(a.expr, unit) == _start_of_sql(b.expr, unit)
        else:
            test = {"before": a.expr < b.expr, "after": a.expr > b.expr, "same": a.expr == b.expr}[op]
        return SqlValue(sa.func.coalesce(test, sa.false()), "boolean", any_err(a.err, b.err))

    return build


def _dates(a: Any, b: Any) -> tuple[datetime | None, datetime | None]:
    return to_date(a), to_date(b)


@register("IS_BEFORE", 2, 2, result_type="boolean", sql=_date_cmp_sql("before"))
def is_before(ev: Any, a: Any, b: Any) -> bool:
    """IS_BEFORE(date1, date2): false when either is blank."""
    x, y = _dates(a, b)
    return x is not None and y is not None and x < y


@register("IS_AFTER", 2, 2, result_type="boolean", sql=_date_cmp_sql("after"))
def is_after(ev: Any, a: Any, b: Any) -> bool:
    """IS_AFTER(date1, date2): false when either is blank."""
    x, y = _dates(a, b)
    return x is not None and y is not None and x > y


@register("IS_SAME", 2, 3, result_type="boolean", sql=_date_cmp_sql("same"), check=unit_check(2))
def is_same(ev: Any, a: Any, b: Any, *unit: Any) -> bool:
    """IS_SAME(date1, date2, [unit]): same instant, or same unit (day, week (Sunday-based), month, year...)."""
    x, y = _dates(a, b)
    if x is None or y is None:
        return False
    if unit:
        u = to_text(unit[0])
        return d.start_of(x, u) == d.start_of(y, u)
    return x == y
