"""Filter compilers shared by field types. Each returns a SQL boolean over the row aliased `r`."""

from __future__ import annotations

from typing import Any

from pybase.fields.types.base import FieldLike, FieldType, FieldValueError, Params, like_escape


def op_is_empty(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return f"({t.value_expr(f)} IS NULL)"


def op_is_not_empty(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return f"({t.value_expr(f)} IS NOT NULL)"


def _require(value: Any) -> Any:
    if value is None or value == "":
        raise FieldValueError("This operator needs a value.")
    return value


def compare(symbol: str):
    def compiler(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        bound = ps.add(t.filter_value(_require(value), f), t.sql_type)
        return f"({t.value_expr(f)} {symbol} {bound})"

    return compiler


def op_distinct(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    # "is not" keeps empty cells (they are not equal to the value), hence IS DISTINCT FROM.
    bound = ps.add(t.filter_value(_require(value), f), t.sql_type)
    return f"({t.value_expr(f)} IS DISTINCT FROM {bound})"


def _term(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
        raise FieldValueError("Expected a non-empty text.")
    return str(value)


def text_match(t: FieldType, f: FieldLike, expr: str, term: str, ps: Params, *, prefix: bool) -> str:
    pattern = like_escape(term) + "%" if prefix else "%" + like_escape(term) + "%"
    sql = f"({expr} ILIKE {ps.add(pattern, 'text')})"
    if len(term) >= 3:
        # Lets the planner use the trigram GIN index; ILIKE above rechecks the exact match.
        sql = f"(pybase_trigrams({expr}) @> pybase_trigrams({ps.add(term, 'text')}) AND {sql})"
    return sql


def op_contains(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return text_match(t, f, t.value_expr(f), _term(value), ps, prefix=False)


def op_starts_with(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return text_match(t, f, t.value_expr(f), _term(value), ps, prefix=True)


def op_not_contains(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    pattern = "%" + like_escape(_term(value)) + "%"
    return f"(coalesce({t.value_expr(f)}, '') NOT ILIKE {ps.add(pattern, 'text')})"


def _values(t: FieldType, f: FieldLike, value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    if not items or any(item is None or item == "" for item in items):
        raise FieldValueError("Expected a non-empty list of values.")
    return [t.filter_value(item, f) for item in items]


def op_is_any_of(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return f"({t.value_expr(f)} = ANY({ps.add(_values(t, f, value), t.sql_type + '[]')}))"


def op_is_none_of(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
    return f"(NOT coalesce({t.value_expr(f)} = ANY({ps.add(_values(t, f, value), t.sql_type + '[]')}), false))"


TEXT_OPERATORS = {
    "is": compare("="),
    "=": compare("="),
    "is_not": op_distinct,
    "!=": op_distinct,
    "contains": op_contains,
    "not_contains": op_not_contains,
    "starts_with": op_starts_with,
    "is_any_of": op_is_any_of,
    "is_none_of": op_is_none_of,
    "is_empty": op_is_empty,
    "is_not_empty": op_is_not_empty,
}
TEXT_INDEXES = {"is": "btree", "=": "btree", "contains": "trigram", "starts_with": "trigram", "is_any_of": "btree"}

NUMBER_OPERATORS = {
    "=": compare("="),
    "is": compare("="),
    "!=": op_distinct,
    "is_not": op_distinct,
    "<": compare("<"),
    "<=": compare("<="),
    ">": compare(">"),
    ">=": compare(">="),
    "is_any_of": op_is_any_of,
    "is_none_of": op_is_none_of,
    "is_empty": op_is_empty,
    "is_not_empty": op_is_not_empty,
}
NUMBER_INDEXES = {op: "btree" for op in ("=", "is", "<", "<=", ">", ">=", "is_any_of")}
