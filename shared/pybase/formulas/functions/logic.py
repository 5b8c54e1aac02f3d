"""IF, SWITCH, AND, OR, XOR, NOT, TRUE, FALSE, BLANK, ERROR, ISERROR."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from pybase.formulas.registry import register
from pybase.formulas.sql import (
    SqlCompiler,
    SqlValue,
    any_err,
    coerce_branch,
    compare,
    errs_of,
    null_of,
    truthy,
    unify_types,
)
from pybase.formulas.values import ErrorValue, flatten
from pybase.formulas.values import compare as py_compare
from pybase.formulas.values import truthy as py_truthy

Thunk = Callable[[], Any]


def mixed_type(types: Sequence[str]) -> str:
    kinds = {t for t in types if t != "blank"}
    if not kinds:
        return "blank"
    return kinds.pop() if len(kinds) == 1 else "text"


def _blank() -> SqlValue:
    return SqlValue(null_of("blank"), "blank")


def _if_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    cond, then = args[0], args[1]
    other = args[2] if len(args) > 2 else _blank()
    kind = unify_types([then.type, other.type])
    test = truthy(cond)
    expr = sa.case((test, coerce_branch(then, kind)), else_=coerce_branch(other, kind))
    branch_err = None
    if then.err is not None or other.err is not None:
        branch_err = sa.case(
            (test, then.err if then.err is not None else sa.false()),
            else_=other.err if other.err is not None else sa.false(),
        )
    return SqlValue(expr, kind, any_err(cond.err, branch_err))


@register("IF", 2, 3, lazy=True, result_type=lambda t: mixed_type(t[1:]), sql=_if_sql)
def if_(ev: Any, args: list[Thunk], call: Any = None) -> Any:
    """IF(condition, value_if_true, [value_if_false])"""
    cond = args[0]()
    if isinstance(cond, ErrorValue):
        return cond
    if py_truthy(cond):
        return args[1]()
    return args[2]() if len(args) > 2 else None


def _switch_parts(n: int) -> tuple[list[tuple[int, int]], int | None]:
    pairs = [(i, i + 1) for i in range(1, n - 1, 2)]
    default = n - 1 if (n - 1) % 2 == 1 else None
    return pairs, default


def _switch_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    pairs, default_i = _switch_parts(len(args))
    subject = args[0]
    other = args[default_i] if default_i is not None else _blank()
    kind = unify_types([args[r].type for _, r in pairs] + [other.type])
    value_whens = []
    err_whens = []
    need_err = any(args[i].err is not None for i in range(1, len(args)))
    for p, r in pairs:
        cond = compare("=", subject, args[p]).expr
        value_whens.append((cond, coerce_branch(args[r], kind)))
        if need_err:
            if args[p].err is not None:
                err_whens.append((args[p].err, sa.true()))
            err_whens.append((cond, args[r].err if args[r].err is not None else sa.false()))
    expr = sa.case(*value_whens, else_=coerce_branch(other, kind))
    err = None
    if err_whens:
        err = sa.case(*err_whens, else_=other.err if other.err is not None else sa.false())
    return SqlValue(expr, kind, any_err(subject.err, err))


def _switch_type(types: Sequence[str]) -> str:
    pairs, default_i = _switch_parts(len(types))
    return mixed_type([types[r] for _, r in pairs] + ([types[default_i]] if default_i is not None else ["blank"]))


@register("SWITCH", 2, None, lazy=True, result_type=_switch_type, sql=_switch_sql)
def switch(ev: Any, args: list[Thunk], call: Any = None) -> Any:
    """SWITCH(expression, pattern, result, ..., [default])"""
    subject = args[0]()
    if isinstance(subject, ErrorValue):
        return subject
    pairs, default_i = _switch_parts(len(args))
    for p, r in pairs:
        pattern = args[p]()
        if isinstance(pattern, ErrorValue):
            return pattern
        if py_compare("=", subject, pattern):
            return args[r]()
    return args[default_i]() if default_i is not None else None


def _bool_sql(combine: Callable[..., Any]) -> Callable[..., SqlValue]:
    def build(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
        return SqlValue(combine(*[truthy(a) for a in args]), "boolean", errs_of(args))

    return build


@register("AND", 1, None, result_type="boolean", sql=_bool_sql(sa.and_), associative=True)
def and_(ev: Any, *values: Any) -> bool:
    """AND(logical, ...): true when every argument is truthy."""
    return all(py_truthy(v) for v in flatten(values))


@register("OR", 1, None, result_type="boolean", sql=_bool_sql(sa.or_), associative=True)
def or_(ev: Any, *values: Any) -> bool:
    """OR(logical, ...): true when any argument is truthy."""
    return any(py_truthy(v) for v in flatten(values))


def _xor_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    total = sum((sa.case((truthy(a), 1), else_=0) for a in args[1:]), sa.case((truthy(args[0]), 1), else_=0))
    return SqlValue(sa.func.mod(total, 2) == 1, "boolean", errs_of(args))


@register("XOR", 1, None, result_type="boolean", sql=_xor_sql)
def xor(ev: Any, *values: Any) -> bool:
    """XOR(logical, ...): true when an odd number of arguments are truthy."""
    return sum(1 for v in flatten(values) if py_truthy(v)) % 2 == 1


@register("NOT", 1, 1, result_type="boolean", sql=lambda c, a, n: SqlValue(sa.not_(truthy(a[0])), "boolean", a[0].err))
def not_(ev: Any, value: Any) -> bool:
    """NOT(logical)"""
    return not py_truthy(value)


@register("TRUE", 0, 0, result_type="boolean", sql=lambda c, a, n: SqlValue(sa.true(), "boolean"))
def true_(ev: Any) -> bool:
    """TRUE()"""
    return True


@register("FALSE", 0, 0, result_type="boolean", sql=lambda c, a, n: SqlValue(sa.false(), "boolean"))
def false_(ev: Any) -> bool:
    """FALSE()"""
    return False


@register("BLANK", 0, 0, result_type="blank", sql=lambda c, a, n: _blank())
def blank(ev: Any) -> None:
    """BLANK(): an empty value."""
    return None


@register("ERROR", 0, 1, result_type="blank", sql=lambda c, a, n: SqlValue(null_of("blank"), "blank", sa.true()))
def error(ev: Any, *message: Any) -> ErrorValue:
    """ERROR(): an error value (#ERROR!)."""
    return ErrorValue("#ERROR!", str(message[0]) if message and not isinstance(message[0], ErrorValue) else "ERROR()")


@register(
    "ISERROR",
    1,
    1,
    result_type="boolean",
    catches_errors=True,
    sql=lambda c, a, n: SqlValue(
        sa.func.coalesce(a[0].err, sa.false()) if a[0].err is not None else sa.false(), "boolean"
    ),
)
def iserror(ev: Any, value: Any) -> bool:
    """ISERROR(expression): true when the expression is an error."""
    return isinstance(value, ErrorValue)
