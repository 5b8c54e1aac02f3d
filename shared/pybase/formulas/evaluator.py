"""Python evaluation of a formula tree against one record."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pybase.formulas.errors import FormulaError
from pybase.formulas.nodes import Binary, Call, FieldRef, Literal, Node, Unary, left_chain
from pybase.formulas.registry import get_function
from pybase.formulas.values import (
    ErrorValue,
    Fail,
    arith_number,
    as_datetime,
    compare,
    divide,
    is_special,
    normalize_result,
    to_text,
)


@dataclass(frozen=True)
class RecordContext:
    """What a formula can see of a record.

    `values` maps field IDs (the names used in the resolved tree) to Python values: None, numbers
    (int/float/Decimal), str, bool, date/datetime, or lists of those (lookups, multiple selects, links).
    `field_kinds` (optional) gives each field's formula kind; text values of "date" fields are parsed.
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    record_id: str | None = None
    created_time: datetime | None = None
    last_modified_time: datetime | None = None
    now: datetime | None = None
    field_kinds: Mapping[str, str] | None = None
    field_modified_times: Mapping[str, datetime] | None = None


class Evaluation:
    """State of one evaluation (a fixed NOW() for the whole formula)."""

    def __init__(self, context: RecordContext) -> None:
        self.context = context
        self.now = as_datetime(context.now) if context.now else datetime.now(UTC)

    def eval(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, FieldRef):
            return self.field_value(node.name)
        if isinstance(node, Binary):
            return self.binary_chain(node)
        if isinstance(node, Unary):
            operand = self.eval(node.operand)
            if isinstance(operand, ErrorValue):
                return operand
            return self.guard(
                lambda: -arith_number(operand) if node.op == "-" else arith_number(operand), special=True
            )
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def binary_chain(self, node: Binary) -> Any:
        # `a + b + c ...` folded in a loop: the tree is as deep as the chain is long.
        first, spine = left_chain(node)
        left = self.eval(first)
        for item in spine:
            if isinstance(left, ErrorValue):
                return left
            right = self.eval(item.right)
            if isinstance(right, ErrorValue):
                return right
            left = self.guard(lambda op=item.op, a=left, b=right: _binary(op, a, b), special=True)
        return left

    def call(self, node: Call) -> Any:
        spec = get_function(node.name)
        if spec is None:
            raise FormulaError(f"Unknown function {node.name}()")
        if spec.lazy:
            # IF, SWITCH, ... pass their branches' values through, NaN and Infinity included.
            thunks = [(lambda arg=arg: self.eval(arg)) for arg in node.args]
            return self.guard(lambda: spec.impl(self, thunks, node), special=True)
        values = [self.eval(arg) for arg in node.args]
        if not spec.catches_errors:
            for v in values:
                if isinstance(v, ErrorValue):
                    return v
            if any(is_special(v) for v in values):
                return ErrorValue("#ERROR!", f"{node.name}() cannot use NaN or Infinity")
        return self.guard(lambda: spec.impl(self, *values))

    @staticmethod
    def guard(fn: Callable[[], Any], *, special: bool = False) -> Any:
        try:
            result = fn()
        except Fail as exc:
            return ErrorValue("#ERROR!", str(exc))
        except ZeroDivisionError:
            return ErrorValue("#ERROR!", "division by zero")
        except (ArithmeticError, ValueError, re.error) as exc:
            return ErrorValue("#ERROR!", str(exc))
        if not special and is_special(result):
            return ErrorValue("#ERROR!", "number out of range")
        return result

    def field_value(self, field_id: str) -> Any:
        value = self.context.values.get(field_id)
        kind = (self.context.field_kinds or {}).get(field_id)
        if value is None and kind == "array":
            return []  # an empty lookup, link or multiple select is an empty list: COUNTALL() is 0
        return convert_value(value, kind)


def convert_value(value: Any, kind: str | None = None) -> Any:
    """A stored cell value as a formula value (numbers as float, dates as aware UTC datetimes)."""
    if value is None or isinstance(value, ErrorValue):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return as_datetime(value)
    if isinstance(value, str) and kind == "date":
        from pybase.formulas.dates import parse_datetime

        try:
            return parse_datetime(value, None) if value else None
        except Fail:
            return ErrorValue("#ERROR!", "stored date is not readable")
    if isinstance(value, list | tuple):
        return [convert_value(item, None if kind == "array" else kind) for item in value]
    return value


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "&":
        return to_text(left) + to_text(right)
    if op in ("+", "-", "*", "/"):
        a, b = arith_number(left), arith_number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return divide(a, b)
    return compare(op, left, right)


def evaluate(node: Node, context: RecordContext | Mapping[str, Any] | None = None) -> Any:
    """Evaluate a (resolved) tree. Returns None for blank, int/float, str, bool, datetime, list, or an ErrorValue.

    Never raises for runtime problems (they become ErrorValue); integral numbers come back as int.
    """
    if context is None:
        context = RecordContext()
    elif not isinstance(context, RecordContext):
        context = RecordContext(values=context)
    try:
        return normalize_result(Evaluation(context).eval(node))
    except RecursionError:  # a safety net: the parser's depth limit keeps trees well below this
        return ErrorValue("#ERROR!", "the formula is nested too deeply")
