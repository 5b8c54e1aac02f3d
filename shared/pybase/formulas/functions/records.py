"""Record metadata: RECORD_ID, CREATED_TIME, LAST_MODIFIED_TIME."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pybase.formulas.errors import FormulaError, NotCompilable, Position
from pybase.formulas.evaluator import Evaluation
from pybase.formulas.nodes import Call, FieldRef
from pybase.formulas.registry import register
from pybase.formulas.sql import SqlCompiler, SqlValue
from pybase.formulas.values import as_datetime


def _meta_sql(attr: str, kind: str) -> Any:
    def build(c: SqlCompiler, args: Sequence[SqlValue], nodes: Any) -> SqlValue:
        if nodes:
            raise NotCompilable(f"{attr} of specific fields")
        expr = getattr(c, attr)
        if expr is None:
            raise NotCompilable(f"no SQL column given for {attr}")
        return SqlValue(expr, kind)

    return build


@register("RECORD_ID", 0, 0, sql=_meta_sql("record_id", "text"))
def record_id(ev: Evaluation) -> str | None:
    """RECORD_ID(): the record's ID."""
    return ev.context.record_id


@register("CREATED_TIME", 0, 0, result_type="date", sql=_meta_sql("created_time", "date"))
def created_time(ev: Evaluation) -> datetime | None:
    """CREATED_TIME(): when the record was created."""
    value = ev.context.created_time
    return None if value is None else as_datetime(value)


def _fields_only(call: Call, source: str) -> None:
    for arg in call.args:
        if not isinstance(arg, FieldRef):
            raise FormulaError(f"{call.name}() takes field references only", Position.at(source, arg.start))


@register(
    "LAST_MODIFIED_TIME",
    0,
    None,
    result_type="date",
    lazy=True,
    check=_fields_only,
    sql=_meta_sql("last_modified_time", "date"),
)
def last_modified_time(ev: Evaluation, args: list[Any], call: Call) -> datetime | None:
    """LAST_MODIFIED_TIME([{field}, ...]): when the record (or the latest of the given fields) last changed.

    Per-field times come from RecordContext.field_modified_times; without them the record's time is used."""
    ctx = ev.context
    per_field = ctx.field_modified_times or {}
    times = [as_datetime(per_field[a.name]) for a in call.args if isinstance(a, FieldRef) and a.name in per_field]
    if times:
        return max(times)
    return None if ctx.last_modified_time is None else as_datetime(ctx.last_modified_time)
