"""Text functions: CONCATENATE, LEFT, RIGHT, MID, LEN, LOWER, UPPER, TRIM, SUBSTITUTE, FIND, SEARCH,
REPLACE, REPT, VALUE, T, ENCODE_URL_COMPONENT."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from pybase.formulas.errors import NotCompilable
from pybase.formulas.registry import register
from pybase.formulas.sql import (
    DOUBLE,
    TRIM_CHARS,
    SqlCompiler,
    SqlValue,
    any_err,
    as_number,
    as_text,
    errs_of,
    guarded,
    is_null,
    is_numeric_text,
    lit_text,
    not_null,
)
from pybase.formulas.values import NUMERIC_RE, Fail, is_number, to_number, to_text

MAX_TEXT = 1_000_000
MAX_INT = 100_000_000  # positions and counts are clamped here on both sides (sums stay int4)


def count(v: Any) -> int:
    """A non-negative whole count: truncated toward zero, negatives -> 0 (as the SQL side clamps)."""
    return min(max(int(to_number(v)), 0), MAX_INT)


def sql_count(v: SqlValue) -> tuple[Any, Any]:
    n = as_number(v)
    return sa.cast(sa.func.least(sa.func.greatest(sa.func.trunc(n.expr), 0), MAX_INT), sa.Integer), n.err


def position(v: Any) -> int:
    """A 1-based position: truncated, at least 1."""
    return min(max(int(to_number(v)), 1), MAX_INT)


def sql_position(v: SqlValue) -> tuple[Any, Any]:
    n = as_number(v)
    return sa.cast(sa.func.least(sa.func.greatest(sa.func.trunc(n.expr), 1), MAX_INT), sa.Integer), n.err


def _texts(args: Sequence[SqlValue]) -> list[SqlValue]:
    return [as_text(a) for a in args]


def _concat_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    parts = _texts(args)
    expr = parts[0].expr
    for part in parts[1:]:
        expr = expr.concat(part.expr)  # a flat `a || b || c`: thousands of parts render without recursion
    return SqlValue(expr, "text", errs_of(parts), notnull=True)


@register("CONCATENATE", 1, None, sql=_concat_sql)
def concatenate(ev: Any, *values: Any) -> str:
    """CONCATENATE(text, ...)"""
    return "".join(to_text(v) for v in values)


def _left_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s = as_text(args[0])
    n, n_err = sql_count(args[1])
    return SqlValue(sa.func.left(s.expr, n), "text", any_err(s.err, n_err))


@register("LEFT", 2, 2, sql=_left_sql)
def left(ev: Any, value: Any, n: Any) -> str:
    """LEFT(text, count)"""
    return to_text(value)[: count(n)]


def _right_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s = as_text(args[0])
    n, n_err = sql_count(args[1])
    return SqlValue(sa.func.right(s.expr, n), "text", any_err(s.err, n_err))


@register("RIGHT", 2, 2, sql=_right_sql)
def right(ev: Any, value: Any, n: Any) -> str:
    """RIGHT(text, count)"""
    k = count(n)
    text = to_text(value)
    return text[max(len(text) - k, 0) :] if k else ""


def _mid_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s = as_text(args[0])
    start, s_err = sql_position(args[1])
    n, n_err = sql_count(args[2])
    return SqlValue(sa.func.substr(s.expr, start, n), "text", any_err(s.err, s_err, n_err))


@register("MID", 3, 3, sql=_mid_sql)
def mid(ev: Any, value: Any, start: Any, n: Any) -> str:
    """MID(text, start (1-based), count)"""
    begin = position(start) - 1
    return to_text(value)[begin : begin + count(n)]


@register(
    "LEN",
    1,
    1,
    result_type="number",
    sql=lambda c, a, n: SqlValue(sa.cast(sa.func.char_length(as_text(a[0]).expr), DOUBLE), "number", a[0].err),
)
def len_(ev: Any, value: Any) -> float:
    """LEN(text): number of characters."""
    return float(len(to_text(value)))


@register("LOWER", 1, 1, sql=lambda c, a, n: SqlValue(sa.func.lower(as_text(a[0]).expr), "text", as_text(a[0]).err))
def lower(ev: Any, value: Any) -> str:
    """LOWER(text)"""
    return to_text(value).lower()


def _upper_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s = as_text(args[0])
    # Python (like JavaScript) upper-cases "ß" to "SS"; PostgreSQL keeps it. Rarer full case mappings
    # (ligatures such as "ﬁ") still differ.
    return SqlValue(sa.func.upper(sa.func.replace(s.expr, "ß", "SS")), "text", s.err)


@register("UPPER", 1, 1, sql=_upper_sql)
def upper(ev: Any, value: Any) -> str:
    """UPPER(text)"""
    return to_text(value).upper()


@register(
    "TRIM", 1, 1, sql=lambda c, a, n: SqlValue(sa.func.btrim(as_text(a[0]).expr, TRIM_CHARS), "text", as_text(a[0]).err)
)
def trim(ev: Any, value: Any) -> str:
    """TRIM(text): without leading and trailing whitespace."""
    return to_text(value).strip(TRIM_CHARS)


def _substitute_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    if len(args) > 3:
        raise NotCompilable("SUBSTITUTE with an occurrence index")
    s, old, new = _texts(args)
    return SqlValue(sa.func.replace(s.expr, old.expr, new.expr), "text", errs_of([s, old, new]))


@register("SUBSTITUTE", 3, 4, sql=_substitute_sql)
def substitute(ev: Any, value: Any, old: Any, new: Any, *index: Any) -> str:
    """SUBSTITUTE(text, old, new, [occurrence]): replaces every (or only the nth) occurrence."""
    text, old_s, new_s = to_text(value), to_text(old), to_text(new)
    nth = int(to_number(index[0])) if index else 0
    if not old_s:
        return text
    if not index:
        return text.replace(old_s, new_s)
    if nth < 1:
        return text
    start, pos = 0, -1
    for _ in range(nth):
        pos = text.find(old_s, start)
        if pos < 0:
            return text
        start = pos + len(old_s)
    return text[:pos] + new_s + text[pos + len(old_s) :]


def _find_sql(insensitive: bool) -> Any:
    def build(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
        needle, hay = as_text(args[0]), as_text(args[1])
        n_expr, h_expr = needle.expr, hay.expr
        if insensitive:
            n_expr, h_expr = sa.func.lower(n_expr), sa.func.lower(h_expr)
        err = any_err(needle.err, hay.err)
        if len(args) > 2:
            start, s_err = sql_position(args[2])
            found = sa.func.strpos(sa.func.substr(h_expr, start), n_expr)
            pos = sa.case((found > 0, found + start - 1), else_=0)
            err = any_err(err, s_err)
        else:
            pos = sa.func.strpos(h_expr, n_expr)
        if insensitive:
            return SqlValue(sa.cast(sa.func.nullif(pos, 0), DOUBLE), "number", err)
        return SqlValue(sa.cast(pos, DOUBLE), "number", err)

    return build


def _find(needle: Any, hay: Any, start: Sequence[Any], insensitive: bool) -> int:
    n, h = to_text(needle), to_text(hay)
    if insensitive:
        n, h = n.lower(), h.lower()
    begin = position(start[0]) if start else 1
    found = h[begin - 1 :].find(n)
    return found + begin if found >= 0 else 0


@register("FIND", 2, 3, result_type="number", sql=_find_sql(False))
def find(ev: Any, needle: Any, hay: Any, *start: Any) -> float:
    """FIND(needle, text, [start]): 1-based position of needle (case-sensitive), 0 when absent."""
    return float(_find(needle, hay, start, False))


@register("SEARCH", 2, 3, result_type="number", sql=_find_sql(True))
def search(ev: Any, needle: Any, hay: Any, *start: Any) -> float | None:
    """SEARCH(needle, text, [start]): like FIND but case-insensitive, and blank when absent."""
    found = _find(needle, hay, start, True)
    return float(found) if found else None


def _replace_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s, new = as_text(args[0]), as_text(args[3])
    start, s_err = sql_position(args[1])
    n, n_err = sql_count(args[2])
    expr = sa.func.substr(s.expr, 1, start - 1).op("||")(new.expr).op("||")(sa.func.substr(s.expr, start + n))
    return SqlValue(expr, "text", any_err(s.err, new.err, s_err, n_err))


@register("REPLACE", 4, 4, sql=_replace_sql)
def replace(ev: Any, value: Any, start: Any, n: Any, new: Any) -> str:
    """REPLACE(text, start, count, replacement)"""
    text = to_text(value)
    begin = position(start) - 1
    return text[:begin] + to_text(new) + text[begin + count(n) :]


def _rept_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    s = as_text(args[0])
    n, n_err = sql_count(args[1])
    too_long = sa.cast(sa.func.char_length(s.expr), sa.BigInteger) * n > MAX_TEXT
    return SqlValue(sa.func.repeat(s.expr, guarded(sa.not_(too_long), n)), "text", any_err(s.err, n_err, too_long))


@register("REPT", 2, 2, sql=_rept_sql)
def rept(ev: Any, value: Any, n: Any) -> str:
    """REPT(text, times)"""
    text, times = to_text(value), count(n)
    if len(text) * times > MAX_TEXT:
        raise Fail("REPT result too long")
    return text * times


_VALUE_STRIP = re.compile(r"[,$€£¥ \t\n\r]")
_VALUE_STRIP_SQL = "[,$€£¥ \t\n\r]"


def _value_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    v = args[0]
    if v.type != "text":
        n = as_number(v)
        if v.type == "blank":
            return SqlValue(sa.cast(sa.null(), DOUBLE), "number", v.err)
        return SqlValue(sa.case((is_null(v.expr), sa.null()), else_=n.expr), "number", n.err)
    cleaned = sa.func.regexp_replace(v.expr, _VALUE_STRIP_SQL, "", "g")
    ok = is_numeric_text(cleaned)
    value = sa.cast(guarded(ok, cleaned), DOUBLE)
    bad = sa.and_(not_null(v.expr), cleaned != "", sa.not_(ok))
    return SqlValue(value, "number", any_err(v.err, bad))


@register("VALUE", 1, 1, result_type="number", sql=_value_sql)
def value(ev: Any, v: Any) -> float | None:
    """VALUE(text): the number in a text, ignoring thousands separators and currency symbols."""
    if v is None or is_number(v) or isinstance(v, bool):
        return None if v is None else to_number(v)
    if not isinstance(v, str):
        return to_number(v)
    cleaned = _VALUE_STRIP.sub("", v)
    if cleaned == "":
        return None
    if not NUMERIC_RE.match(cleaned):
        raise Fail(f"VALUE cannot read {v[:40]!r}")
    return float(cleaned)


def _t_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    v = args[0]
    if v.type == "text":
        return SqlValue(sa.func.coalesce(v.expr, ""), "text", v.err)
    return SqlValue(lit_text(""), "text", v.err)


@register("T", 1, 1, sql=_t_sql)
def t(ev: Any, v: Any) -> str:
    """T(value): the value if it is text, else empty text."""
    return v if isinstance(v, str) else ""


@register("ENCODE_URL_COMPONENT", 1, 1)
def encode_url_component(ev: Any, v: Any) -> str:
    """ENCODE_URL_COMPONENT(text): percent-encoding as JavaScript's encodeURIComponent."""
    return quote(to_text(v), safe="-_.!~*'()")
