"""Compile list requests (filter tree, sorts, keyset cursor) into one SQL statement over `records r`.

Filter tree (JSON):
    node      := group | condition
    group     := {"and": [node, ...]} | {"or": [node, ...]} | {"not": node}
    condition := {"field": "<field ID or name>", "op": "<operator>", "value": <any>}
Operators depend on the field type (see pybase.fields.types); spaced spellings such as
"is not" or "does not contain" are accepted.

Sorts: [{"field": "<ID or name>", "direction": "asc" | "desc"}]; the record's creation sequence
(`seq`) always ends the order as a unique tie-breaker, so keyset cursors are exact.

Conditions with no SQL form (formulas, lookups and rollups computed in Python) compile to conditions
over columns of values computed in Python (Deferred); compile_split also gives the part of the filter
the database runs alone, and pybase.records.store checks the rows it selects in a bounded scan.

Keyset pages: the rows after a cursor are the union of disjoint "segments" (equal on the first i
sort keys and strictly after on key i+1, with NULLs placed as PostgreSQL orders them: last when
ascending, first when descending). Each segment is a separate index range scan with its own LIMIT
and the union is re-sorted, so a page at depth 500,000 costs about what the first page costs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pybase import jsontext
from pybase.errors import BadRequest, ValidationFailed
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldType, Params, canonical_operator
from pybase.links.computed import NotFilterable

MAX_FILTER_DEPTH = 8
MAX_CONDITIONS = 200
ROW_COLUMNS = "r.id, r.seq, r.data, r.version, r.created_at, r.created_by, r.updated_at, r.updated_by"


class FieldSet:
    """The live fields of a table, addressable by ID or by name."""

    def __init__(self, fields: list[Any]) -> None:
        self.fields = fields
        self.by_id = {f.id: f for f in fields}
        self.by_name = {f.name: f for f in fields}

    def resolve(self, key: Any, *, where: str = "field") -> Any:
        if not isinstance(key, str):
            raise ValidationFailed(f"{where} must be a field ID or name.", details={"field": key})
        found = self.by_id.get(key) or self.by_name.get(key)
        if found is None:
            raise ValidationFailed(f"Unknown field {key!r}.", details={"field": key})
        return found


@dataclass
class Condition:
    field: Any
    op: str


@dataclass
class SortKey:
    expr: str
    direction: str  # asc | desc
    sql_type: str
    field_id: str | None  # None for the seq tie-breaker
    ftype: FieldType | None


Encoder = Callable[[Any], "str | None"]


@dataclass
class DeferredLeaf:
    field: Any  # the field (or a formula filter's probe field) whose computed value the column holds
    encode: Encoder  # its API value -> the column's text
    reason: str  # why it has no SQL form


@dataclass
class Deferred:
    """Filter conditions with no SQL form, collected while a filter compiles.

    Each reads a column `_py.cN` that holds, per row, a value computed in Python (formulas, lookups,
    rollups); pybase.records.store checks batches of rows against the whole filter with those
    columns filled (see store.Residual). The conditions keep the field types' own operators."""

    leaves: list[DeferredLeaf] = field(default_factory=list)

    def column(self, computed: Any, encode: Encoder, reason: str) -> str:
        for index, leaf in enumerate(self.leaves):
            if leaf.field.id == computed.id:
                return f"_py.c{index}"
        self.leaves.append(DeferredLeaf(computed, encode, reason))
        return f"_py.c{len(self.leaves) - 1}"

    def formula(self, stored: str, field_ids: tuple[str, ...], reason: str, table_id: str | None) -> str:
        """A condition true where the stored formula (field IDs in braces) is truthy and not an error,
        computed in Python as a formula field never saved would be."""
        from pybase.links.computed import FieldSnap

        options = {"formula": stored, "referenced_field_ids": list(field_ids)}
        probe = FieldSnap.of(f"fldFormulaFilter{len(self.leaves)}", "formula filter", "formula", options, table_id)
        return f"coalesce(CAST({self.column(probe, _formula_truth, reason)} AS boolean), false)"

    @property
    def reason(self) -> str:
        return "; ".join(dict.fromkeys(leaf.reason for leaf in self.leaves))


def _formula_truth(value: Any) -> str:
    from pybase.links.computed import api_truthy

    return "true" if api_truthy(value) else "false"


def _formula_node(text: Any, fields: FieldSet, deferred: Deferred) -> str:
    """{"formula": "AND({Qty} > 3, {Status} = 'Done')"}: Airtable's filterByFormula, in SQL when it
    compiles, else a column of its truth computed in Python."""
    from pybase.links.computed import formula_condition

    condition = formula_condition(text, fields.fields)
    if condition.sql is not None:
        return condition.sql
    table_id = getattr(fields.fields[0], "table_id", None) if fields.fields else None
    return deferred.formula(condition.stored, condition.field_ids, condition.reason, table_id)


def compile_filter(
    node: Any, fields: FieldSet, params: Params, used: list[Condition], depth: int = 0,
    deferred: Deferred | None = None,
) -> str:  # fmt: skip
    """SQL of a filter tree. Conditions with no SQL form go to `deferred` (a throwaway one when not
    given: callers that run the SQL pass their own and handle its leaves, see compile_split)."""
    return _compile(node, fields, params, used, depth, Deferred() if deferred is None else deferred)[0]


def compile_split(
    node: Any, fields: FieldSet, params: Params, used: list[Condition], deferred: Deferred
) -> tuple[str, str]:
    """(the whole filter, the part of it the database can run alone). The second selects a superset
    of the rows the first does: the rows a scan then checks against the first."""
    full, candidate = _compile(node, fields, params, used, 0, deferred)
    return full, candidate or "TRUE"


def _compile(
    node: Any, fields: FieldSet, params: Params, used: list[Condition], depth: int, deferred: Deferred
) -> tuple[str, str | None]:
    """(SQL, its database-only relaxation or None when it has none); the two are equal when the
    node has no deferred condition."""
    if depth > MAX_FILTER_DEPTH:
        raise ValidationFailed("The filter is nested too deeply.", details={"max_depth": MAX_FILTER_DEPTH})
    if not isinstance(node, dict):
        raise ValidationFailed("A filter node is an object.", details={"node": node})
    for joiner in ("and", "or"):
        if joiner in node:
            children = node[joiner]
            if not isinstance(children, list) or len(node) != 1:
                raise ValidationFailed(f"'{joiner}' takes a list of filter nodes.", details={"node": node})
            if not children:
                return ("TRUE", "TRUE") if joiner == "and" else ("FALSE", "FALSE")
            compiled = [_compile(child, fields, params, used, depth + 1, deferred) for child in children]
            full = "(" + f" {joiner.upper()} ".join(part for part, _ in compiled) + ")"
            if all(part == cand for part, cand in compiled):
                return full, full
            # AND narrows by the children the database can run; OR only when every branch can.
            known = [cand for _, cand in compiled if cand is not None]
            if joiner == "and":
                return full, ("(" + " AND ".join(known) + ")") if known else None
            return full, ("(" + " OR ".join(known) + ")") if len(known) == len(compiled) else None
    if "not" in node:
        inner, cand = _compile(node["not"], fields, params, used, depth + 1, deferred)
        full = f"(NOT coalesce({inner}, false))"
        return full, full if cand == inner else None
    if "formula" in node:
        before = len(deferred.leaves)
        sql = _formula_node(node["formula"], fields, deferred)
        return sql, sql if len(deferred.leaves) == before else None
    # `field_id` as well as `field`, as saved view filters may spell it (like `operator` for `op`).
    field_ref = node.get("field", node.get("field_id"))
    if field_ref is None:
        raise ValidationFailed("A filter condition needs 'field' and 'op'.", details={"node": node})
    op_raw = node.get("op", node.get("operator"))
    if not isinstance(op_raw, str):
        raise ValidationFailed("A filter condition needs 'op'.", details={"node": node})
    field = fields.resolve(field_ref)
    op = canonical_operator(op_raw)
    used.append(Condition(field, op))
    if len(used) > MAX_CONDITIONS:
        raise ValidationFailed("The filter has too many conditions.", details={"max": MAX_CONDITIONS})
    ftype = get_field_type(field.type)
    try:
        sql = ftype.compile_filter(field, op, node.get("value"), params)
        return sql, sql
    except NotFilterable as exc:
        if exc.broken:
            raise
        used.pop()  # no expression index serves a condition on values computed in Python
        return ftype.deferred_filter(field, op, node.get("value"), params, deferred, exc.reason), None  # type: ignore[attr-defined]


def parse_sort_param(raw: Any) -> list[dict[str, str]]:
    """Sorts from a query string ("fldA,-fldB" or JSON) or a JSON body."""
    if raw is None or raw == "" or raw == []:
        return []
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                raw = jsontext.loads(text)
            except ValueError:
                raise BadRequest("sort is not valid JSON.") from None
        else:
            out = []
            for part in text.split(","):
                part = part.strip()
                if part:
                    desc = part.startswith("-")
                    out.append({"field": part.lstrip("-+"), "direction": "desc" if desc else "asc"})
            return out
    if not isinstance(raw, list):
        raise ValidationFailed("sort is a list of {field, direction}.")
    return raw


def compile_sorts(sorts: list[Any], fields: FieldSet) -> list[SortKey]:
    keys: list[SortKey] = []
    seen: set[str] = set()
    for item in sorts[:10]:
        if not isinstance(item, dict):
            raise ValidationFailed("Each sort is {field, direction}.", details={"sort": item})
        field = fields.resolve(item.get("field"), where="sort field")
        direction = str(item.get("direction", "asc")).lower()
        if direction not in ("asc", "desc"):
            raise ValidationFailed("A sort direction is asc or desc.", details={"sort": item})
        if field.id in seen:
            continue
        seen.add(field.id)
        ftype = get_field_type(field.type)
        try:
            expr = ftype.sort_expr(field)
        except NotFilterable as exc:
            raise ValidationFailed(
                f"Records cannot be sorted by {field.name!r}: its values are computed outside the database "
                f"({exc.reason}). Filter by it instead, or sort by a field the database can read.",
                details={"field": field.id, "reason": exc.reason},
            ) from None
        if expr is None:
            raise ValidationFailed(f"Records cannot be sorted by {ftype.name} fields.", details={"field": field.id})
        keys.append(SortKey(expr, direction, ftype.sort_type or ftype.sql_type, field.id, ftype))
    tie = keys[0].direction if keys else "asc"
    keys.append(SortKey("r.seq", tie, "bigint", None, None))
    return keys


def sort_signature(keys: list[SortKey]) -> str:
    raw = "|".join(f"{k.expr}:{k.direction}" for k in keys)
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def encode_cursor(keys: list[SortKey], row_values: list[Any]) -> str:
    values = [k.ftype.cursor_value(v) if k.ftype else v for k, v in zip(keys, row_values, strict=True)]
    payload = json.dumps({"s": sort_signature(keys), "v": values}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = jsontext.loads(base64.urlsafe_b64decode(padded.encode()))
        values = payload["v"]
        signature = payload["s"]
    except (ValueError, KeyError, TypeError):
        raise BadRequest("The cursor is not valid.", code="invalid_cursor") from None
    if signature != sort_signature(keys) or not isinstance(values, list) or len(values) != len(keys):
        raise BadRequest("The cursor belongs to a different sort or filter.", code="invalid_cursor")
    if values[-1] is None or isinstance(values[-1], bool) or not isinstance(values[-1], int):
        raise BadRequest("The cursor is not valid.", code="invalid_cursor")
    return values


def _order_by(keys: list[SortKey], *, outer: bool) -> str:
    parts = []
    for index, key in enumerate(keys):
        expr = f"_s{index}" if outer else key.expr
        parts.append(f"{expr} {key.direction.upper()}")
    return ", ".join(parts)


def _segments(keys: list[SortKey], values: list[Any], params: Params) -> list[str]:
    """Conditions of the disjoint segments after the cursor, most specific first."""
    segments: list[str] = []
    for i in range(len(keys) - 1, -1, -1):
        prefix = []
        for key, value in zip(keys[:i], values[:i], strict=True):
            prefix.append(f"{key.expr} IS NULL" if value is None else f"{key.expr} = {params.add(value, key.sql_type)}")
        key, value = keys[i], values[i]
        afters: list[str] = []
        if key.direction == "asc":
            if value is not None:
                afters.append(f"{key.expr} > {params.add(value, key.sql_type)}")
                if key.field_id is not None:
                    afters.append(f"{key.expr} IS NULL")
        elif value is not None:
            afters.append(f"{key.expr} < {params.add(value, key.sql_type)}")
        else:
            afters.append(f"{key.expr} IS NOT NULL")
        segments.extend(" AND ".join([*prefix, after]) for after in afters)
    return segments


def build_list_sql(
    *, table_id: str, where: str, keys: list[SortKey], cursor_values: list[Any] | None, limit: int, params: Params,
    offset: int = 0,
) -> str:
    base = f"r.table_id = '{table_id}' AND r.deleted_at IS NULL AND {where}"
    sort_cols = ", ".join(f"{key.expr} AS _s{i}" for i, key in enumerate(keys))
    select = f"SELECT {ROW_COLUMNS}, {sort_cols} FROM records r WHERE "
    if cursor_values is None:
        skip = f" OFFSET {int(offset)}" if offset else ""
        return f"{select}{base} ORDER BY {_order_by(keys, outer=False)} LIMIT {limit}{skip}"
    branches = [
        f"({select}{base} AND {segment} ORDER BY {_order_by(keys, outer=False)} LIMIT {limit})"
        for segment in _segments(keys, cursor_values, params)
    ]
    if len(branches) == 1:
        return branches[0][1:-1]
    return (
        f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page ORDER BY {_order_by(keys, outer=True)} LIMIT {limit}"
    )


def build_count_sql(*, table_id: str, where: str) -> str:
    if where == "TRUE":
        # The live count the writes keep (record_sequences.live_count) instead of counting: two
        # index-only scans of a 100,000-record table took 12-21 ms, this is one row read.
        return f"SELECT coalesce((SELECT live_count FROM record_sequences WHERE table_id = '{table_id}'), 0)"
    return f"SELECT count(*) FROM records r WHERE r.table_id = '{table_id}' AND r.deleted_at IS NULL AND {where}"
