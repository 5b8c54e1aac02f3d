"""Compile list requests (filter tree, sorts, keyset cursor) into one SQL statement over `records r`.

Filter tree (JSON):
    node      := group | condition
    group     := {"and": [node, ...]} | {"or": [node, ...]} | {"not": node}
    condition := {"field": "<field ID or name>", "op": "<operator>", "value": <any>}
Operators depend on the field type (see pybase.fields.types); spaced spellings such as
"is not" or "does not contain" are accepted.

Sorts: [{"field": "<ID or name>", "direction": "asc" | "desc"}]; the record's creation sequence
(`seq`) always ends the order as a unique tie-breaker, so keyset cursors are exact.

Keyset pages: the rows after a cursor are the union of disjoint "segments" (equal on the first i
sort keys and strictly after on key i+1, with NULLs placed as PostgreSQL orders them: last when
ascending, first when descending). Each segment is a separate index range scan with its own LIMIT
and the union is re-sorted, so a page at depth 500,000 costs about what the first page costs.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pybase import jsontext
from pybase.errors import BadRequest, ValidationFailed
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldType, Params, canonical_operator

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


def compile_filter(node: Any, fields: FieldSet, params: Params, used: list[Condition], depth: int = 0) -> str:
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
                return "TRUE" if joiner == "and" else "FALSE"
            parts = [compile_filter(child, fields, params, used, depth + 1) for child in children]
            return "(" + f" {joiner.upper()} ".join(parts) + ")"
    if "not" in node:
        return f"(NOT coalesce({compile_filter(node['not'], fields, params, used, depth + 1)}, false))"
    if "formula" in node:
        # {"formula": "AND({Qty} > 3, {Status} = 'Done')"}: Airtable's filterByFormula, compiled to SQL.
        from pybase.links.computed import formula_filter

        return formula_filter(node["formula"], fields.fields)
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
    return get_field_type(field.type).compile_filter(field, op, node.get("value"), params)


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
        expr = ftype.sort_expr(field)
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
    return f"SELECT count(*) FROM records r WHERE r.table_id = '{table_id}' AND r.deleted_at IS NULL AND {where}"
