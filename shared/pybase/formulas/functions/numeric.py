"""Numeric functions: ROUND, ROUNDUP, ROUNDDOWN, INT, ABS, CEILING, FLOOR, MOD, POWER, SQRT, LOG, EXP,
EVEN, ODD, MIN, MAX, SUM, AVERAGE, COUNT, COUNTA, COUNTALL.

Rounding goes through decimals built from 15 significant digits, which is exactly what PostgreSQL's
float8 -> numeric cast does, so ROUND(2.675, 2) is 2.68 on both sides."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext
from typing import Any

import sqlalchemy as sa

from pybase.formulas.errors import NotCompilable
from pybase.formulas.registry import register
from pybase.formulas.sql import (
    DOUBLE,
    SqlCompiler,
    SqlValue,
    any_err,
    as_number,
    errs_of,
    guarded,
    is_blank,
    is_null,
    lit_number,
)
from pybase.formulas.values import Fail, flatten, number_or_none, to_number
from pybase.formulas.values import is_blank as py_is_blank

Args = Sequence[SqlValue]


def _dec(x: float) -> Decimal:
    return Decimal(format(x, ".15g"))


def _places(v: Any) -> int:
    return max(min(int(to_number(v)), 15), -15)


def _sql_places(v: SqlValue) -> tuple[Any, Any]:
    n = as_number(v)
    return sa.cast(sa.func.greatest(sa.func.least(sa.func.trunc(n.expr), 15), -15), sa.Integer), n.err


def _round(x: Any, places: Sequence[Any], mode: str) -> float:
    p = _places(places[0]) if places else 0
    with localcontext(prec=350):
        return float(_dec(to_number(x)).quantize(Decimal(1).scaleb(-p), rounding=mode))


def _numeric(expr: Any) -> Any:
    return sa.cast(expr, sa.Numeric)


def _round_sql(kind: str) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        x = as_number(args[0])
        p, p_err = _sql_places(args[1]) if len(args) > 1 else (sa.literal(0, sa.Integer), None)
        n = _numeric(x.expr)
        if kind == "half":
            expr = sa.func.round(n, p)
        elif kind == "down":
            expr = sa.func.trunc(n, p)
        else:
            scale = sa.func.power(sa.cast(sa.literal(10), sa.Numeric), p)
            expr = sa.func.sign(n) * sa.func.ceil(sa.func.abs(n) * scale) / scale
        return SqlValue(sa.cast(expr, DOUBLE), "number", any_err(x.err, p_err))

    return build


@register("ROUND", 1, 2, result_type="number", sql=_round_sql("half"))
def round_(ev: Any, x: Any, *places: Any) -> float:
    """ROUND(value, [precision]): half away from zero."""
    return _round(x, places, ROUND_HALF_UP)


@register("ROUNDUP", 1, 2, result_type="number", sql=_round_sql("up"))
def roundup(ev: Any, x: Any, *places: Any) -> float:
    """ROUNDUP(value, [precision]): away from zero."""
    return _round(x, places, ROUND_UP)


@register("ROUNDDOWN", 1, 2, result_type="number", sql=_round_sql("down"))
def rounddown(ev: Any, x: Any, *places: Any) -> float:
    """ROUNDDOWN(value, [precision]): toward zero."""
    return _round(x, places, ROUND_DOWN)


def _unary_sql(fn: Callable[[Any], Any]) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        x = as_number(args[0])
        return SqlValue(fn(x.expr), "number", x.err)

    return build


@register("INT", 1, 1, result_type="number", sql=_unary_sql(sa.func.floor))
def int_(ev: Any, x: Any) -> float:
    """INT(value): the greatest integer not above value."""
    return float(math.floor(to_number(x)))


@register("ABS", 1, 1, result_type="number", sql=_unary_sql(sa.func.abs))
def abs_(ev: Any, x: Any) -> float:
    """ABS(value)"""
    return abs(to_number(x))


def _multiple_sql(fn: Any) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        x = as_number(args[0])
        sig = as_number(args[1]) if len(args) > 1 else SqlValue(lit_number(1), "number")
        expr = sa.case((sig.expr == 0, lit_number(0)), else_=fn(x.expr / sa.func.nullif(sig.expr, 0)) * sig.expr)
        return SqlValue(expr, "number", any_err(x.err, sig.err))

    return build


@register("CEILING", 1, 2, result_type="number", sql=_multiple_sql(sa.func.ceil))
def ceiling(ev: Any, x: Any, *significance: Any) -> float:
    """CEILING(value, [significance]): the nearest multiple of significance at or above value."""
    value = to_number(x)  # coerced first: a bad value is an error even when significance is 0
    sig = to_number(significance[0]) if significance else 1.0
    return 0.0 if sig == 0 else math.ceil(value / sig) * sig


@register("FLOOR", 1, 2, result_type="number", sql=_multiple_sql(sa.func.floor))
def floor(ev: Any, x: Any, *significance: Any) -> float:
    """FLOOR(value, [significance]): the nearest multiple of significance at or below value."""
    value = to_number(x)  # coerced first: a bad value is an error even when significance is 0
    sig = to_number(significance[0]) if significance else 1.0
    return 0.0 if sig == 0 else math.floor(value / sig) * sig


def _mod_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    a, b = as_number(args[0]), as_number(args[1])
    expr = sa.func.mod(_numeric(a.expr), _numeric(sa.func.nullif(b.expr, 0)))
    return SqlValue(sa.cast(expr, DOUBLE), "number", any_err(a.err, b.err, b.expr == 0))


@register("MOD", 2, 2, result_type="number", sql=_mod_sql)
def mod(ev: Any, a: Any, b: Any) -> float:
    """MOD(value, divisor): remainder with the sign of value."""
    divisor = to_number(b)
    if divisor == 0:
        raise Fail("MOD by zero")
    with localcontext(prec=350):
        return float(_dec(to_number(a)) % _dec(divisor))


LN_MAX_DOUBLE = 709.782712893384  # ln(1.7976931348623157e308): larger powers overflow a double
LN_MIN_DOUBLE = -708.3964185322641  # ln(2.2250738585072014e-308): smaller powers underflow


def _power_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    a, b = as_number(args[0]), as_number(args[1])
    overflow = sa.and_(a.expr != 0, b.expr * sa.func.ln(sa.func.abs(guarded(a.expr != 0, a.expr))) > LN_MAX_DOUBLE)
    bad = sa.or_(sa.and_(a.expr < 0, b.expr != sa.func.trunc(b.expr)), sa.and_(a.expr == 0, b.expr < 0), overflow)
    log_size = b.expr * sa.func.ln(sa.func.abs(guarded(a.expr != 0, a.expr)))
    underflow = sa.and_(a.expr != 0, log_size < LN_MIN_DOUBLE)
    ok = sa.and_(sa.not_(bad), sa.not_(underflow))
    expr = sa.case((underflow, lit_number(0)), else_=sa.func.power(guarded(ok, a.expr), b.expr))
    return SqlValue(expr, "number", any_err(a.err, b.err, bad))


@register("POWER", 2, 2, result_type="number", sql=_power_sql)
def power(ev: Any, a: Any, b: Any) -> float:
    """POWER(base, exponent)"""
    x, y = to_number(a), to_number(b)
    if (x < 0 and not y.is_integer()) or (x == 0 and y < 0):
        raise Fail("POWER of a negative base to a fractional exponent, or of zero to a negative one")
    if x != 0 and y * math.log(abs(x)) > LN_MAX_DOUBLE:
        raise Fail("POWER overflow")
    if x != 0 and y * math.log(abs(x)) < LN_MIN_DOUBLE:
        return 0.0  # underflow (PostgreSQL raises instead; both sides return 0)
    return math.pow(x, y)


def _sqrt_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    x = as_number(args[0])
    return SqlValue(sa.func.sqrt(guarded(x.expr >= 0, x.expr)), "number", any_err(x.err, x.expr < 0))


@register("SQRT", 1, 1, result_type="number", sql=_sqrt_sql)
def sqrt(ev: Any, x: Any) -> float:
    """SQRT(value)"""
    v = to_number(x)
    if v < 0:
        raise Fail("SQRT of a negative number")
    return math.sqrt(v)


def _log_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    x = as_number(args[0])
    base = as_number(args[1]) if len(args) > 1 else SqlValue(lit_number(10), "number")
    bad = sa.or_(x.expr <= 0, base.expr <= 0, base.expr == 1)
    ok = sa.not_(bad)
    # log10/log10 on both sides: LOG(x) is then exactly log10(x), whatever libm PostgreSQL uses.
    expr = sa.func.log(guarded(ok, x.expr)) / sa.func.log(guarded(ok, base.expr))
    return SqlValue(expr, "number", any_err(x.err, base.err, bad))


@register("LOG", 1, 2, result_type="number", sql=_log_sql)
def log(ev: Any, x: Any, *base: Any) -> float:
    """LOG(value, [base=10])"""
    v, b = to_number(x), (to_number(base[0]) if base else 10.0)
    if v <= 0 or b <= 0 or b == 1:
        raise Fail("LOG of a non-positive number or with an invalid base")
    return math.log10(v) / math.log10(b)


_EXP_MAX = 709.0  # exp() of more overflows a double


def _exp_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    x = as_number(args[0])
    return SqlValue(sa.func.exp(guarded(x.expr <= _EXP_MAX, x.expr)), "number", any_err(x.err, x.expr > _EXP_MAX))


@register("EXP", 1, 1, result_type="number", sql=_exp_sql)
def exp(ev: Any, x: Any) -> float:
    """EXP(power): e raised to a power."""
    v = to_number(x)
    if v > _EXP_MAX:
        raise Fail("EXP overflow")
    return math.exp(v)


def _even_odd_sql(odd: bool) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        x = as_number(args[0])
        sign = sa.case((x.expr < 0, lit_number(-1)), else_=lit_number(1))
        a = sa.func.abs(x.expr)
        mag = sa.func.ceil((a + 1) / 2) * 2 - 1 if odd else sa.func.ceil(a / 2) * 2
        return SqlValue(sign * mag, "number", x.err)

    return build


@register("EVEN", 1, 1, result_type="number", sql=_even_odd_sql(False))
def even(ev: Any, x: Any) -> float:
    """EVEN(value): rounded away from zero to an even integer."""
    v = to_number(x)
    return math.copysign(math.ceil(abs(v) / 2) * 2, -1 if v < 0 else 1)


@register("ODD", 1, 1, result_type="number", sql=_even_odd_sql(True))
def odd(ev: Any, x: Any) -> float:
    """ODD(value): rounded away from zero to an odd integer."""
    v = to_number(x)
    return math.copysign(math.ceil((abs(v) + 1) / 2) * 2 - 1, -1 if v < 0 else 1)


# ---- aggregates over arguments (arrays are flattened; only real numbers count) --------------------------


def _numbers(values: Sequence[Any]) -> list[float]:
    return [n for n in (number_or_none(v) for v in flatten(values)) if n is not None]


def _number_args(args: Args) -> list[SqlValue]:
    if any(a.type == "array" for a in args):
        raise NotCompilable("aggregates over arrays")
    return [a for a in args if a.type == "number"]


def _present(v: SqlValue) -> Any:
    return sa.case((is_null(v.expr), 0), else_=1)


def _sum_expr(nums: list[SqlValue]) -> Any:
    total: Any = lit_number(0)
    for v in nums:
        total = total + sa.func.coalesce(v.expr, lit_number(0))
    return total


def _count_expr(nums: list[SqlValue]) -> Any:
    total: Any = sa.literal(0, sa.Integer)
    for v in nums:
        total = total + _present(v)
    return total


def _extreme_sql(fn: Any) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
        nums = _number_args(args)
        expr = fn(*[v.expr for v in nums]) if nums else sa.cast(sa.null(), DOUBLE)
        return SqlValue(expr, "number", errs_of(args))

    return build


@register("MIN", 1, None, result_type="number", sql=_extreme_sql(sa.func.least))
def min_(ev: Any, *values: Any) -> float | None:
    """MIN(number, ...): blank when there are no numbers."""
    nums = _numbers(values)
    return min(nums) if nums else None


@register("MAX", 1, None, result_type="number", sql=_extreme_sql(sa.func.greatest))
def max_(ev: Any, *values: Any) -> float | None:
    """MAX(number, ...): blank when there are no numbers."""
    nums = _numbers(values)
    return max(nums) if nums else None


@register(
    "SUM", 1, None, result_type="number", sql=lambda c, a, n: SqlValue(_sum_expr(_number_args(a)), "number", errs_of(a))
)
def sum_(ev: Any, *values: Any) -> float:
    """SUM(number, ...)"""
    return math.fsum(_numbers(values))


def _average_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    nums = _number_args(args)
    if not nums:
        return SqlValue(sa.cast(sa.null(), DOUBLE), "number", errs_of(args))
    return SqlValue(_sum_expr(nums) / sa.func.nullif(_count_expr(nums), 0), "number", errs_of(args))


@register("AVERAGE", 1, None, result_type="number", sql=_average_sql)
def average(ev: Any, *values: Any) -> float | None:
    """AVERAGE(number, ...): blank when there are no numbers."""
    nums = _numbers(values)
    return math.fsum(nums) / len(nums) if nums else None


@register(
    "COUNT",
    1,
    None,
    result_type="number",
    sql=lambda c, a, n: SqlValue(sa.cast(_count_expr(_number_args(a)), DOUBLE), "number", errs_of(a)),
)
def count(ev: Any, *values: Any) -> float:
    """COUNT(value, ...): how many arguments are numbers."""
    return float(len(_numbers(values)))


def _counta_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    if any(a.type == "array" for a in args):
        raise NotCompilable("COUNTA over arrays")
    total: Any = sa.literal(0, sa.Integer)
    for a in args:
        total = total + sa.case((is_blank(a), 0), else_=1)
    return SqlValue(sa.cast(total, DOUBLE), "number", errs_of(args))


@register("COUNTA", 1, None, result_type="number", sql=_counta_sql)
def counta(ev: Any, *values: Any) -> float:
    """COUNTA(value, ...): how many arguments are not empty."""
    return float(sum(1 for v in flatten(values) if not py_is_blank(v)))


def _countall_sql(c: SqlCompiler, args: Args, nodes: Any) -> SqlValue:
    if any(a.type == "array" for a in args):
        raise NotCompilable("COUNTALL over arrays")
    return SqlValue(lit_number(len(args)), "number", errs_of(args))


@register("COUNTALL", 1, None, result_type="number", sql=_countall_sql)
def countall(ev: Any, *values: Any) -> float:
    """COUNTALL(value, ...): how many values, empty ones included."""
    return float(len(flatten(values)))
