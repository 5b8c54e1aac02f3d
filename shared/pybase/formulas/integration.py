"""Glue for the records engine: resolvers over a JSONB `data` column, rendering compiled formulas to
psycopg SQL text + parameters, and the default formula kind of each field type."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.sql.elements import ColumnElement

from pybase.formulas.nodes import Node
from pybase.formulas.sql import Resolver, compile_sql_full

# Formula kind of each field type name in the field registry (anything else reads as text).
KIND_BY_FIELD_TYPE: dict[str, str] = {
    "number": "number",
    "currency": "number",
    "percent": "number",
    "rating": "number",
    "duration": "number",
    "autonumber": "number",
    "checkbox": "boolean",
    "date": "date",
    "datetime": "date",
    "created_time": "date",
    "last_modified_time": "date",
    "multiple_select": "array",
    "attachment": "array",
    "link": "array",
    "lookup": "array",
    "rollup": "number",
    "count": "number",
}


def kind_for_field_type(type_name: str, options: Mapping[str, Any] | None = None) -> str:
    """The formula kind of a field; a formula field reports its own inferred result type in options."""
    if type_name == "formula" and options and options.get("result_type"):
        return str(options["result_type"])
    return KIND_BY_FIELD_TYPE.get(type_name, "text")


def jsonb_field_expr(data: ColumnElement[Any], field_id: str, kind: str) -> ColumnElement[Any]:
    """The typed SQL value of `data[field_id]` for a kind. Dates may be stored as "YYYY-MM-DD" or UTC
    ISO strings; both are read as UTC whatever the session time zone."""
    raw = data[field_id].astext
    if kind == "number":
        return sa.cast(raw, sa.Numeric)
    if kind == "boolean":
        return sa.cast(raw, sa.Boolean)
    if kind == "date":
        return sa.func.timezone("UTC", sa.cast(raw, TIMESTAMP(timezone=False)))
    if kind == "array":
        return data[field_id]
    return raw


def jsonb_resolver(data: ColumnElement[Any], kinds: Mapping[str, str]) -> Resolver:
    """Resolver for compile_sql over a JSONB column keyed by field ID (KeyError for unknown fields)."""

    def resolve(field_id: str) -> tuple[ColumnElement[Any], str]:
        kind = kinds[field_id]
        return jsonb_field_expr(data, field_id, kind), kind

    return resolve


def text_resolver(sql_for_field: Callable[[str], tuple[str, str]]) -> Resolver:
    """Adapt a resolver returning raw SQL text, e.g. ("((r.data ->> 'fldX')::numeric)", "number")."""

    def resolve(field_id: str) -> tuple[ColumnElement[Any], str]:
        sql, kind = sql_for_field(field_id)
        return sa.literal_column(sql), kind

    return resolve


_DIALECT = postgresql.psycopg.dialect()


def render_sql(expr: ColumnElement[Any], *, prefix: str = "f") -> tuple[str, dict[str, Any]]:
    """SQL text in psycopg's `%(name)s` style plus its parameters; names get `prefix` so several
    rendered formulas (and the caller's own parameters) can share one statement."""
    compiled = expr.compile(dialect=_DIALECT)
    sql = compiled.string
    params: dict[str, Any] = {}
    for name, value in compiled.params.items():
        new = f"{prefix}_{name}"
        sql = re.sub(r"%\(" + re.escape(name) + r"\)s", lambda _m, new=new: f"%({new})s", sql)
        params[new] = value
    return sql, params


@dataclass(frozen=True)
class SqlText:
    value: str  # NULL for blanks and errors
    error: str  # boolean SQL, true where the formula is an error
    condition: str  # boolean SQL for filters: truthy and not an error
    params: dict[str, Any]
    result_type: str


def compile_sql_text(
    node: Node,
    sql_for_field: Callable[[str], tuple[str, str]],
    *,
    record_id_sql: str | None = None,
    created_time_sql: str | None = None,
    last_modified_time_sql: str | None = None,
    now: datetime | None = None,
    prefix: str = "f",
) -> SqlText:
    """compile_sql for a caller that builds raw SQL strings (raises NotCompilable like compile_sql)."""
    compiled = compile_sql_full(
        node,
        text_resolver(sql_for_field),
        record_id=sa.literal_column(record_id_sql) if record_id_sql else None,
        created_time=sa.literal_column(created_time_sql) if created_time_sql else None,
        last_modified_time=sa.literal_column(last_modified_time_sql) if last_modified_time_sql else None,
        now=now,
    )
    value, p1 = render_sql(compiled.value, prefix=f"{prefix}v")
    error, p2 = render_sql(compiled.error if compiled.error is not None else sa.false(), prefix=f"{prefix}e")
    condition, p3 = render_sql(compiled.condition(), prefix=f"{prefix}c")
    return SqlText(value, error, condition, {**p1, **p2, **p3}, compiled.result_type)
