"""Compile a formula tree to a PostgreSQL expression (SQLAlchemy Core) with the evaluator's semantics.

Every compiled node is a SqlValue: `expr` (typed by `type`; NULL means blank), and `err`, a boolean SQL
expression that is true where the Python evaluator would produce an error value (None: never). Values
that would make PostgreSQL raise (division by zero, bad casts, sqrt of negatives, ...) are guarded so a
query never fails at run time; the final expression is NULL where `err` is true.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.sql.elements import ColumnElement, Grouping

from pybase.formulas.errors import NotCompilable
from pybase.formulas.nodes import Binary, Call, FieldRef, Literal, Node, Unary, left_chain
from pybase.formulas.registry import get_function
from pybase.formulas.values import as_datetime

KINDS = ("number", "text", "date", "boolean", "array")
TSTZ = TIMESTAMP(timezone=True)
DOUBLE = sa.Double()
NUMERIC_PATTERN = r"^[ \t\n\r]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r]*$"
TRIM_CHARS = " \t\n\r"

Resolver = Callable[[str], tuple[ColumnElement[Any], str]]


NO_CONST = object()


@dataclass(frozen=True)
class SqlValue:
    expr: ColumnElement[Any]
    type: str  # number | text | date | boolean | blank
    err: ColumnElement[bool] | None = None
    const: Any = NO_CONST  # the Python value when the node is a literal (lets text literals act as dates)
    # Never NULL where `err` is false: as_number/as_text need no COALESCE around it, so a chain
    # `a + b + c ...` stays one flat SQL sum instead of nesting a COALESCE per operator.
    notnull: bool = False
    # May be NaN or +-Infinity (arithmetic on text, division by zero): comparisons and truthiness
    # then follow the evaluator (NaN equals nothing and is false), not PostgreSQL (NaN above all).
    special: bool = False


@dataclass(frozen=True)
class SqlFormula:
    """A compiled formula: `value` (NULL for blank and for errors), its kind, and `error` (true on error)."""

    value: ColumnElement[Any]
    result_type: str
    error: ColumnElement[bool] | None
    special: bool = False

    def condition(self) -> ColumnElement[bool]:
        """Truthiness for filters (filterByFormula): errors and blanks are false; never NULL."""
        kind = self.result_type if self.result_type != "array" else "text"
        truth = truthy(SqlValue(self.value, kind, special=self.special))
        return truth if self.error is None else sa.and_(sa.not_(self.error), truth)


# ---- helpers used by the function library --------------------------------------------------------------


def lit_number(value: float) -> ColumnElement[Any]:
    return sa.cast(sa.literal(float(value)), DOUBLE)


NAN_SQL = sa.literal_column("'NaN'::float8", DOUBLE)
INF_SQL = sa.literal_column("'Infinity'::float8", DOUBLE)
FLOAT8_MAX = 1.7976931348623157e308


def is_special_sql(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for NaN and +-Infinity (PostgreSQL orders NaN above every number, so abs(NaN) > max)."""
    return sa.func.abs(expr) > lit_number(FLOAT8_MAX)


def is_nan_sql(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    return Grouping(expr) == NAN_SQL  # NaN = NaN is true in PostgreSQL


def lit_text(value: str) -> ColumnElement[Any]:
    return sa.cast(sa.literal(value), sa.Text)


def null_of(kind: str) -> ColumnElement[Any]:
    return sa.cast(sa.null(), _sa_type(kind))


def _sa_type(kind: str) -> Any:
    return {"number": DOUBLE, "text": sa.Text(), "date": TSTZ, "boolean": sa.Boolean(), "blank": sa.Text()}[kind]


def is_null(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    # Parenthesised: SQLAlchemy renders `NOT x IS NULL` for not_(x).is_(None), which PostgreSQL
    # reads as NOT (x IS NULL).
    return Grouping(expr).is_(None)


def not_null(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    return Grouping(expr).is_not(None)


def any_err(*errs: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    present = [e for e in errs if e is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else sa.or_(*present)


def errs_of(values: Sequence[SqlValue]) -> ColumnElement[bool] | None:
    return any_err(*(v.err for v in values))


def is_blank(v: SqlValue) -> ColumnElement[bool]:
    if v.type == "blank":
        return sa.true()
    if v.type == "text":
        return sa.or_(is_null(v.expr), v.expr == "")
    return is_null(v.expr)


def is_numeric_text(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    return expr.op("~", is_comparison=True)(NUMERIC_PATTERN)


def guarded(condition: ColumnElement[bool], expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """`expr` where `condition` holds, else NULL. Used on the *inputs* of functions that can raise
    (casts, sqrt, ln, power): PostgreSQL folds constant sub-expressions at plan time even inside an
    untaken CASE branch, but a CASE with a constant false condition folds to NULL first."""
    return sa.case((condition, expr), else_=sa.null())


def text_to_number(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """Numeric text -> float8, anything else -> NULL (never raises)."""
    return sa.cast(guarded(is_numeric_text(expr), sa.func.btrim(expr, TRIM_CHARS)), DOUBLE)


def arith_number(v: SqlValue) -> SqlValue:
    """An operand of + - * /: as as_number, but text that is not a number is NaN, not an error."""
    if v.type != "text":
        return v if v.type == "number" and v.notnull else _plain_number(v)
    if isinstance(v.const, str):
        from pybase.formulas.values import arith_number as py_arith

        number = py_arith(v.const)
        if number != number:
            return SqlValue(NAN_SQL, "number", v.err, notnull=True, special=True)
        return SqlValue(lit_number(number), "number", v.err, notnull=True)
    trimmed = sa.func.btrim(v.expr, TRIM_CHARS)
    value = sa.case(
        (sa.or_(is_null(v.expr), trimmed == ""), lit_number(0)),
        (is_numeric_text(v.expr), text_to_number(v.expr)),
        else_=NAN_SQL,
    )
    return SqlValue(value, "number", v.err, notnull=True, special=True)


def _plain_number(v: SqlValue) -> SqlValue:
    if v.type == "number":
        return SqlValue(sa.func.coalesce(v.expr, lit_number(0)), "number", v.err, notnull=True, special=v.special)
    return as_number(v)


def as_number(v: SqlValue) -> SqlValue:
    """Blank -> 0, booleans -> 1/0, numeric text -> its number, other text -> error."""
    if v.type == "number":
        if v.notnull:
            return v
        return SqlValue(sa.func.coalesce(v.expr, lit_number(0)), "number", v.err, notnull=True, special=v.special)
    if v.type == "blank":
        return SqlValue(lit_number(0), "number", v.err)
    if v.type == "boolean":
        return SqlValue(sa.case((v.expr, lit_number(1)), else_=lit_number(0)), "number", v.err)
    if v.type == "text":
        trimmed = sa.func.btrim(v.expr, TRIM_CHARS)
        value = sa.case((sa.or_(is_null(v.expr), trimmed == ""), lit_number(0)), else_=text_to_number(v.expr))
        bad = sa.and_(not_null(v.expr), trimmed != "", sa.not_(is_numeric_text(v.expr)))
        return SqlValue(value, "number", any_err(v.err, bad))
    raise NotCompilable(f"a {v.type} value used as a number")


def number_text(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """float8 -> text like values.format_number (integral values without exponent or '.0')."""
    return sa.case(
        (
            sa.and_(expr == sa.func.trunc(expr), sa.func.abs(expr) < 1e15),
            sa.cast(sa.cast(expr, sa.BigInteger), sa.Text),
        ),
        else_=sa.cast(expr, sa.Text),
    )


def utc(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """timestamptz -> timestamp (UTC wall clock), independent of the session time zone."""
    return sa.func.timezone("UTC", expr)


def from_utc(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return sa.func.timezone("UTC", expr)


ISO_PATTERN = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'


def as_text(v: SqlValue) -> SqlValue:
    if v.type == "text":
        if v.notnull:
            return v
        return SqlValue(sa.func.coalesce(v.expr, ""), "text", v.err, notnull=True)
    if v.type == "blank":
        return SqlValue(lit_text(""), "text", v.err)
    if v.type == "number":
        return SqlValue(sa.func.coalesce(number_text(v.expr), ""), "text", v.err)
    if v.type == "boolean":
        return SqlValue(
            sa.case((Grouping(v.expr).is_(True), "1"), (Grouping(v.expr).is_(False), "0"), else_=""), "text", v.err
        )
    if v.type == "date":
        return SqlValue(sa.func.coalesce(sa.func.to_char(utc(v.expr), ISO_PATTERN), ""), "text", v.err)
    raise NotCompilable(f"a {v.type} value used as text")


def lit_date(value: datetime) -> ColumnElement[Any]:
    return sa.cast(sa.literal(as_datetime(value)), TSTZ)


def as_date(v: SqlValue) -> SqlValue:
    if v.type == "date":
        return v
    if v.type == "blank":
        return SqlValue(null_of("date"), "date", v.err)
    if v.type == "text" and isinstance(v.const, str):
        # A date written as a text literal is read now, exactly as the evaluator would read it.
        from pybase.formulas.values import Fail, to_date

        try:
            parsed = to_date(v.const)
        except Fail:
            return SqlValue(null_of("date"), "date", sa.true())
        return SqlValue(null_of("date") if parsed is None else lit_date(parsed), "date", v.err)
    raise NotCompilable(f"a {v.type} value used as a date (parsing happens in Python)")


def truthy(v: SqlValue) -> ColumnElement[bool]:
    if v.type == "number":
        value = sa.func.coalesce(v.expr, lit_number(0))
        return sa.and_(value != 0, value != NAN_SQL) if v.special else value != 0
    if v.type == "text":
        return sa.func.coalesce(v.expr, "") != ""
    if v.type == "boolean":
        return sa.func.coalesce(v.expr, sa.false())
    if v.type == "date":
        return not_null(v.expr)
    if v.type == "blank":
        return sa.false()
    raise NotCompilable(f"truthiness of a {v.type} value")


_CMP: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_NUMLIKE = ("number", "boolean")


def _bool_const(flag: bool) -> ColumnElement[bool]:
    return sa.true() if flag else sa.false()


def _num(v: SqlValue) -> ColumnElement[Any]:
    return as_number(v).expr


def _num_compare(op: str, a: SqlValue, b: SqlValue, left: Any, right: Any) -> ColumnElement[bool]:
    """A numeric comparison; with a possible NaN on a side every operator but != is false."""
    nans = [is_nan_sql(x) for v, x in ((a, left), (b, right)) if v.special]
    if not nans:
        return _CMP[op](left, right)
    return sa.case((sa.or_(*nans), _bool_const(op == "!=")), else_=_CMP[op](left, right))


def _c(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    # Code-point order, like Python's str comparison, whatever the database collation.
    return expr.collate("C")


def _typed_compare(op: str, a: SqlValue, b: SqlValue) -> ColumnElement[bool]:
    """Both sides known non-blank."""
    ta, tb = a.type, b.type
    if "blank" in (ta, tb):
        return sa.false()  # unreachable: blanks are handled before
    if ta == "date" and tb == "date":
        return _CMP[op](a.expr, b.expr)
    if "date" in (ta, tb):
        other = b if ta == "date" else a
        if other.type == "text" and isinstance(other.const, str):
            from pybase.formulas.values import Fail, to_date

            try:
                parsed = to_date(other.const)
            except Fail:
                return _bool_const(op == "!=")
            if parsed is None:
                return sa.false()  # a blank literal: the blank branches of compare() decide
            if parsed is not None:
                a, b = (
                    (a, SqlValue(lit_date(parsed), "date")) if ta == "date" else (SqlValue(lit_date(parsed), "date"), b)
                )
                return _CMP[op](a.expr, b.expr)
        raise NotCompilable("comparing a date with a non-date")
    if ta in _NUMLIKE and tb in _NUMLIKE:
        return _num_compare(op, a, b, _num(a), _num(b))
    if ta in _NUMLIKE or tb in _NUMLIKE:
        text = b if ta in _NUMLIKE else a
        cast_text = text_to_number(text.expr)
        left, right = (_num(a), cast_text) if ta in _NUMLIKE else (cast_text, _num(b))
        return sa.case((is_numeric_text(text.expr), _num_compare(op, a, b, left, right)), else_=_bool_const(op == "!="))
    return _CMP[op](_c(a.expr), _c(b.expr))


def _compare_with_zero(op: str, other: SqlValue, blank_on_left: bool) -> ColumnElement[bool]:
    """A blank compared with a non-blank `other`: the blank acts as other's zero (0, '') and dates differ."""
    if other.type == "date":
        return _bool_const(op == "!=")
    if other.type in _NUMLIKE:
        zero, val = SqlValue(lit_number(0), "number"), other
        pair = (zero, val) if blank_on_left else (val, zero)
        return _num_compare(op, *pair, _num(pair[0]), _num(pair[1]))
    elif other.type == "text":
        zero, val = _c(lit_text("")), _c(other.expr)
    else:
        return sa.false()
    return _CMP[op](zero, val) if blank_on_left else _CMP[op](val, zero)


def compare(op: str, a: SqlValue, b: SqlValue) -> SqlValue:
    if "array" in (a.type, b.type):
        raise NotCompilable("comparing arrays")
    a_blank, b_blank = is_blank(a), is_blank(b)
    expr = sa.case(
        (sa.and_(a_blank, b_blank), _bool_const(op in ("=", "<=", ">="))),
        (a_blank, _compare_with_zero(op, b, True)),
        (b_blank, _compare_with_zero(op, a, False)),
        else_=_typed_compare(op, a, b),
    )
    return SqlValue(expr, "boolean", any_err(a.err, b.err))


def unify_types(types: Sequence[str]) -> str:
    """The single kind of several branches (blank fits anything); NotCompilable when they differ."""
    kinds = {t for t in types if t != "blank"}
    if len(kinds) > 1:
        raise NotCompilable(f"branches of different kinds: {sorted(kinds)}")
    return kinds.pop() if kinds else "blank"


def coerce_branch(v: SqlValue, kind: str) -> ColumnElement[Any]:
    if v.type == "blank" and kind != "blank":
        return null_of(kind)
    return v.expr


def literal_text(node: Node) -> str | None:
    """The value of a string literal argument (units, formats, regex patterns), else None."""
    return node.value if isinstance(node, Literal) and isinstance(node.value, str) else None


# ---- the compiler ----------------------------------------------------------------------------------------


class SqlCompiler:
    def __init__(
        self,
        resolver: Resolver,
        *,
        record_id: ColumnElement[Any] | None = None,
        created_time: ColumnElement[Any] | None = None,
        last_modified_time: ColumnElement[Any] | None = None,
        now: datetime | ColumnElement[Any] | None = None,
    ) -> None:
        self.resolver = resolver
        self.record_id = record_id
        self.created_time = created_time
        self.last_modified_time = last_modified_time
        if now is None:
            self.now: ColumnElement[Any] = sa.func.now()
        elif isinstance(now, datetime):
            self.now = lit_date(now)
        else:
            self.now = now

    def compile(self, node: Node) -> SqlValue:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return SqlValue(_bool_const(node.value), "boolean")
            if isinstance(node.value, float):
                return SqlValue(lit_number(node.value), "number", const=node.value)
            return SqlValue(lit_text(node.value), "text", const=node.value)
        if isinstance(node, FieldRef):
            expr, kind = self.resolver(node.name)
            if kind not in KINDS:
                raise NotCompilable(f"field kind {kind!r}")
            if kind == "array":
                raise NotCompilable("array fields are evaluated in Python")
            if kind == "number":
                # A formula field inlined as SQL text can hold NaN or Infinity exactly when its text
                # has one of the literals that make them (a text literal that merely looks like
                # one only costs an extra check).
                text = getattr(expr, "name", None)
                special = isinstance(text, str) and ("'NaN'::float8" in text or "'Infinity'::float8" in text)
                return SqlValue(sa.cast(expr, DOUBLE), kind, special=special)
            return SqlValue(expr, kind)
        if isinstance(node, Unary):
            v = arith_number(self.compile(node.operand))
            value = -v.expr if node.op == "-" else v.expr
            return SqlValue(value, "number", v.err, notnull=v.notnull, special=v.special)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            spec = get_function(node.name)
            if spec is None or spec.sql is None:
                raise NotCompilable(f"{node.name}() has no SQL translation")
            args = [self.compile(arg) for arg in node.args]
            result = spec.sql(self, args, node.args)
            specials = [a for a in args if a.special and a.type == "number"]
            if not specials:
                return result
            if spec.lazy:
                # IF, SWITCH, ... pass a branch's NaN or Infinity through, as the evaluator does.
                return SqlValue(result.expr, result.type, result.err, result.const, result.notnull, special=True)
            if spec.catches_errors:
                return result
            # Any other function given NaN or Infinity is an error, as in the evaluator.
            bad = sa.or_(*(sa.func.coalesce(is_special_sql(a.expr), sa.false()) for a in specials))
            return SqlValue(result.expr, result.type, any_err(result.err, bad), result.const, result.notnull)
        raise TypeError(f"not a formula node: {node!r}")

    def binary(self, node: Binary) -> SqlValue:
        # A chain is folded in a loop (the tree is as deep as the chain is long). `+ - *` and `&` build
        # SQL that SQLAlchemy keeps flat (`a + b + -c ...`, `a || b || c`): PostgreSQL evaluates it left
        # to right like the evaluator, and rendering it does not recurse once per operator.
        first, spine = left_chain(node)
        acc = self.compile(first)
        errs: list[ColumnElement[bool]] = []
        for item in spine:
            right = self.compile(item.right)
            acc, err = self.combine(item.op, acc, right)
            if err is not None:
                errs.append(err)
        if not errs:
            return acc
        return SqlValue(acc.expr, acc.type, any_err(*errs, acc.err), notnull=acc.notnull, special=acc.special)

    @staticmethod
    def combine(op: str, left: SqlValue, right: SqlValue) -> tuple[SqlValue, ColumnElement[bool] | None]:
        """(left op right without the right side's error, the right side's error): errors of a chain
        are gathered into one flat OR by the caller."""
        if op == "&":
            a, b = as_text(left), as_text(right)
            return SqlValue(a.expr.concat(b.expr), "text", a.err, notnull=True), b.err
        if op in ("+", "-", "*", "/"):
            a, b = arith_number(left), arith_number(right)
            special = a.special or b.special
            if op == "+":
                return SqlValue(a.expr + b.expr, "number", a.err, notnull=True, special=special), b.err
            if op == "-":
                # a + (-b) is exactly a - b in IEEE arithmetic, and keeps a mixed chain one flat sum.
                return SqlValue(a.expr + (-b.expr), "number", a.err, notnull=True, special=special), b.err
            if op == "*":
                return SqlValue(a.expr * b.expr, "number", a.err, notnull=True, special=special), b.err
            if isinstance(b.const, float) and b.const != 0 and b.const == b.const:
                return SqlValue(a.expr / b.expr, "number", a.err, notnull=True, special=special), b.err
            # Division by zero is +-Infinity by the dividend's sign, 0/0 NaN (PostgreSQL would raise);
            # nullif keeps a constant 1/0 from being folded into an error at plan time.
            by_zero = sa.case(
                *([(is_nan_sql(a.expr), NAN_SQL)] if a.special else []),
                (a.expr > 0, INF_SQL),
                (a.expr < 0, -INF_SQL),
                else_=NAN_SQL,
            )
            quotient = sa.case((b.expr == 0, by_zero), else_=a.expr / sa.func.nullif(b.expr, 0))
            return SqlValue(quotient, "number", a.err, notnull=True, special=True), b.err
        value = compare(op, left, right)
        return SqlValue(value.expr, value.type), value.err


# Limits of the SQL a formula may compile to. Rendering recurses about 4 Python frames per level of
# nesting, so 150 levels stay far from Python's limit of 1,000. Some constructs repeat an operand (a
# comparison reads each side up to 3 times), so `a=b=c=...` grows exponentially: the expanded size is
# counted before rendering and a formula beyond it is not compiled (Python evaluates it, filters 422).
MAX_SQL_DEPTH = 150
MAX_SQL_NODES = 200_000


def sql_shape(root: Any) -> tuple[int, int]:
    """(depth, expanded node count) of a SQL expression, without recursion; shared sub-expressions
    are counted once per use, as rendering writes them once per use."""
    shapes: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        item, children_done = stack.pop()
        if id(item) in shapes:
            continue
        kids = list(item.get_children())
        if children_done:
            depth = 1 + max((shapes[id(k)][0] for k in kids), default=0)
            size = 1 + sum(shapes[id(k)][1] for k in kids)
            shapes[id(item)] = (depth, size)
        else:
            stack.append((item, True))
            stack.extend((k, False) for k in kids if id(k) not in shapes)
    return shapes[id(root)]


def check_sql_size(*exprs: Any) -> None:
    """NotCompilable when an expression is too deep or too large to render and run."""
    for expr in exprs:
        if expr is None:
            continue
        depth, size = sql_shape(expr)
        if depth > MAX_SQL_DEPTH:
            raise NotCompilable("the formula is nested too deeply to run in the database")
        if size > MAX_SQL_NODES:
            raise NotCompilable("the formula is too large to run in the database")


def compile_sql_full(
    node: Node,
    resolver: Resolver,
    *,
    record_id: ColumnElement[Any] | None = None,
    created_time: ColumnElement[Any] | None = None,
    last_modified_time: ColumnElement[Any] | None = None,
    now: datetime | ColumnElement[Any] | None = None,
) -> SqlFormula:
    compiler = SqlCompiler(
        resolver, record_id=record_id, created_time=created_time, last_modified_time=last_modified_time, now=now
    )
    try:
        result = compiler.compile(node)
    except RecursionError:  # a safety net: the parser's depth limit keeps trees well below this
        raise NotCompilable("the formula is nested too deeply to run in the database") from None
    check_sql_size(result.expr, result.err)
    kind = "text" if result.type == "blank" else result.type
    value = coerce_branch(result, kind)
    error = None
    if result.err is not None:
        error = sa.func.coalesce(result.err, sa.false())
        value = sa.case((error, null_of(kind)), else_=value)
    return SqlFormula(value, kind, error, special=result.special)


def compile_sql(node: Node, resolver: Resolver, **kwargs: Any) -> tuple[ColumnElement[Any], str]:
    """(expression, result_type). The expression is NULL for blank results and for errors."""
    compiled = compile_sql_full(node, resolver, **kwargs)
    return compiled.value, compiled.result_type
