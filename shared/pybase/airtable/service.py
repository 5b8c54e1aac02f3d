"""The Airtable-compatible Web API over PyBase's services: requests in Airtable's shapes are
translated to the records, fields and tables services (which check access and keep writes
all-or-nothing) and their results back to Airtable's shapes.

Records are `{"id", "createdTime", "fields"}` with fields keyed by name (by ID with
returnFieldsByFieldId); empty values (None, false, "", []) are left out as Airtable does. Link cells
are lists of record IDs, collaborators `{"id"}` objects. A request that fails changes nothing: the
route's unit of work rolls back every service call it made.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pybase import errors as pe
from pybase import jsontext
from pybase.access.roles import Principal
from pybase.airtable import schemas
from pybase.airtable.errors import AirtableError, invalid_request, no_model, unknown_field
from pybase.airtable.filter_by_formula import prepare_filter as prepare_formula_filter
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import Params, json_number
from pybase.ids import looks_like_id
from pybase.links.typecast import link_text_to_ids
from pybase.records import indexes, store
from pybase.records import service as records
from pybase.records.query import (
    Condition,
    Deferred,
    compile_sorts,
    compile_split,
    decode_cursor,
)
from pybase.tables.models import Table
from pybase.views.models import View

MAX_PAGE_SIZE = 100
MAX_WRITE_BATCH = 10
PERMISSION_LEVELS = {"owner": "create", "admin": "create", "editor": "edit", "commenter": "comment", "viewer": "read"}
TOKEN_SCOPES = {
    "read": ["data.records:read", "data.recordComments:read", "schema.bases:read", "user.email:read"],
    "write": [
        "data.records:read", "data.records:write", "data.recordComments:read", "data.recordComments:write",
        "schema.bases:read", "user.email:read",
    ],
}  # fmt: skip
ALL_SCOPES = [*TOKEN_SCOPES["write"], "schema.bases:write"]


# --- tables and values --------------------------------------------------------------------------


def resolve_table(
    session: Session, *, principal: Principal, base_id: str, table: str, role: str
) -> records.TableContext:
    """The table named or identified by `table` in the base, checked for `role` (403 when unknown)."""
    if not looks_like_id(base_id, "app"):
        raise no_model()
    table_id = table if looks_like_id(table, "tbl") else None
    if table_id is None:
        candidates = session.execute(
            select(Table.id, Table.name).where(
                Table.base_id == base_id, Table.deleted_at.is_(None), func.lower(Table.name) == table.lower()
            )
        ).all()
        exact = [tid for tid, name in candidates if name == table]
        table_id = exact[0] if exact else (candidates[0][0] if candidates else None)
    if table_id is None:
        raise no_model()
    ctx = records.table_context(session, principal=principal, table_id=table_id, role=role)
    if ctx.table.base_id != base_id:
        raise no_model()
    return ctx


def created_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


USER_TYPES = ("user", "created_by", "last_modified_by")


def airtable_value(field: Field, value: Any, users: dict[str, dict[str, str]] | None = None) -> Any:
    """A PyBase API value as Airtable's JSON cell format shows it (collaborators as {id, email, name})."""
    if field.type == "link" and isinstance(value, list):
        return [item["id"] if isinstance(item, dict) else item for item in value]
    if field.type in USER_TYPES:
        known = users or {}
        if isinstance(value, list):
            return [known.get(uid, {"id": uid}) for uid in value]
        return known.get(value, {"id": value}) if isinstance(value, str) else value
    return value


def _users(session: Session, items: list[dict[str, Any]], fields: list[Field]) -> dict[str, dict[str, str]]:
    """Collaborators named in a page, in one query."""
    from pybase.auth.models import User

    ids: set[str] = set()
    for field in fields:
        if field.type in USER_TYPES:
            for item in items:
                value = item["fields"].get(field.id)
                ids.update(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.email, User.name).where(User.id.in_(sorted(ids)))).all()
    return {uid: {"id": uid, "email": email, "name": name} for uid, email, name in rows}


def _format_date(value: str, field: Field, zone: ZoneInfo) -> str:
    style = (field.options or {}).get("format", "iso")
    try:
        if field.type == "date":
            moment = datetime.fromisoformat(value)
            with_time = False
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone)
            with_time = True
    except ValueError:
        return value
    day = {"us": f"{moment.month}/{moment.day}/{moment.year}", "european": f"{moment.day}/{moment.month}/{moment.year}"}
    text = day.get(style, moment.strftime("%Y-%m-%d"))
    return f"{text} {moment.strftime('%H:%M')}" if with_time else text


def _fixed(value: float | int | Decimal, precision: Any) -> str:
    """A number with the field's precision (2.5 with precision 2 is "2.50"), as Airtable shows it."""
    if not isinstance(precision, int) or isinstance(value, bool):
        if isinstance(value, Decimal):
            value = json_number(value)
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    return f"{number:f}"


# cellFormat=string of numeric types, by field type: the number with its precision and decorations.
NUMBER_TEXT: dict[str, Callable[[float | int, dict[str, Any]], str]] = {
    "number": lambda v, o: _fixed(v, o.get("precision")),
    "currency": lambda v, o: ("-" if v < 0 else "") + str(o.get("symbol", "$")) + _fixed(abs(v), o.get("precision", 2)),
    # The stored fraction scaled exactly (0.07 * 100 in floats is 7.000000000000001), then rounded.
    "percent": lambda v, o: _fixed(Decimal(str(v)) * 100, o.get("precision")) + "%",
}


def string_value(field: Field, value: Any, zone: ZoneInfo) -> str:
    """cellFormat=string: the value as text, as a user would read it."""
    if isinstance(value, int | float) and not isinstance(value, bool) and field.type in NUMBER_TEXT:
        return NUMBER_TEXT[field.type](value, field.options or {})
    if isinstance(value, bool):
        return "checked" if value else ""
    if field.type in ("date", "datetime", "created_time", "last_modified_time") and isinstance(value, str):
        return _format_date(value, field, zone)
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(str(item.get("name") or item.get("filename") or item.get("display") or item.get("id")))
            else:
                parts.append(str(item))
        return ", ".join(parts)
    if isinstance(value, dict):
        if "error" in value:
            return str(value["error"])
        if "specialValue" in value:
            return str(value["specialValue"])
        # "label": a button reads as its label, as in Airtable.
        shown = value.get("display") or value.get("name") or value.get("text") or value.get("label")
        return str(shown or json.dumps(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Format:
    by_id: bool = False
    zone: ZoneInfo | None = None  # set for cellFormat=string


def record_out(
    row: Any, values_by_id: dict[str, Any], fields: list[Field], fmt: Format,
    users: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A record in Airtable's shape from the records engine's API values (keyed by field ID)."""
    values: dict[str, Any] = {}
    for field in fields:
        value = values_by_id.get(field.id)
        if _empty(value):
            continue
        if fmt.zone:
            # Links show their primary text; collaborators their names.
            shown = airtable_value(field, value, users) if field.type in USER_TYPES else value
            value = string_value(field, shown, fmt.zone)
        else:
            value = airtable_value(field, value, users)
        if not _empty(value):
            values[field.id if fmt.by_id else field.name] = value
    return {"id": row.id, "createdTime": created_time(row.created_at), "fields": values}


def records_out(
    session: Session, ctx: records.TableContext, rows: list[Any], shown: list[Field], fmt: Format
) -> list[dict[str, Any]]:
    """Rows in Airtable's shape; computed fields (links, lookups, rollups, formulas) load for all rows
    at once through the records engine."""
    serialized = records.serialize_rows(
        session, rows, shown, ctx.fields.fields, field_key="id", principal=ctx.principal, ctx=ctx
    )
    users = _users(session, serialized, shown)
    return [record_out(row, item["fields"], shown, fmt, users) for row, item in zip(rows, serialized, strict=True)]


def _records_out(session: Session, ctx: records.TableContext, ids: list[str], fmt: Format) -> list[dict[str, Any]]:
    return records_out(session, ctx, store.fetch_in_order(session, ctx.table.id, ids), ctx.fields.fields, fmt)


# --- list ---------------------------------------------------------------------------------------


@dataclass
class ListParams:
    filter_by_formula: str | None = None
    sort: list[dict[str, Any]] | None = None
    fields: list[str] | None = None
    view: str | None = None
    page_size: int | None = None
    max_records: int | None = None
    offset: str | None = None
    cell_format: str | None = None
    time_zone: str | None = None
    user_locale: str | None = None
    by_id: bool = False


def _find_view(session: Session, table_id: str, ref: str) -> View:
    query = select(View).where(View.table_id == table_id, View.deleted_at.is_(None))
    view = session.scalar(query.where(View.id == ref)) if looks_like_id(ref, "viw") else None
    if view is None:
        view = session.scalar(query.where(View.name == ref).order_by(View.position))
    if view is None:
        raise AirtableError(422, "VIEW_NAME_NOT_FOUND", f'View "{ref}" not found')
    return view


def _offset_encode(cursor: str, returned: int) -> str:
    raw = json.dumps({"c": cursor, "n": returned}, separators=(",", ":")).encode()
    return "itr" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset_decode(offset: str) -> tuple[str, int]:
    try:
        if not offset.startswith("itr"):
            raise ValueError
        body = offset[3:]
        data = jsontext.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        cursor, returned = data["c"], data["n"]
        if not isinstance(cursor, str) or isinstance(returned, bool) or not isinstance(returned, int):
            raise ValueError
        return cursor, returned
    except (ValueError, KeyError, TypeError):
        raise AirtableError(422, "INVALID_OFFSET_VALUE", f"The value of offset {offset[:40]} is invalid") from None


def _positive(value: Any, name: str, high: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid_request(f"Invalid request: {name} must be a positive integer") from None
    if number < 1 or (high is not None and number > high):
        limit = f" up to {high}" if high else ""
        raise invalid_request(f"Invalid request: {name} must be a positive integer{limit}")
    return number


def _field(ctx: records.TableContext, key: Any) -> Field:
    field = ctx.fields.by_name.get(key) if isinstance(key, str) else None
    if field is None and isinstance(key, str):
        field = ctx.fields.by_id.get(key)
    if field is None:
        raise unknown_field(key)
    return field


def _zone(params: ListParams) -> ZoneInfo | None:
    if params.cell_format in (None, "", "json"):
        return None
    if params.cell_format != "string":
        raise invalid_request('Invalid request: cellFormat is "json" or "string"')
    if not params.time_zone or not params.user_locale:
        raise invalid_request("Invalid request: timeZone and userLocale are required when cellFormat is string")
    try:
        return ZoneInfo(params.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_request(f"Invalid request: unknown timeZone {params.time_zone!r}") from None


def list_records(
    session: Session, *, principal: Principal, base_id: str, table: str, params: ListParams
) -> dict[str, Any]:
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="viewer")
    fmt = Format(by_id=params.by_id, zone=_zone(params))
    page_size = _positive(params.page_size, "pageSize", MAX_PAGE_SIZE) or MAX_PAGE_SIZE
    max_records = _positive(params.max_records, "maxRecords")
    shown = [_field(ctx, key) for key in params.fields] if params.fields is not None else ctx.fields.fields
    spec = None
    if params.view:
        from pybase.views.service import get_view_query_spec

        view = _find_view(session, ctx.table.id, params.view)
        spec = get_view_query_spec(session, view_id=view.id, table_id=ctx.table.id)
    parts: list[str] = []
    query_params = Params()
    conditions: list[Condition] = []
    usable = records.queryable_fields(session, ctx)  # never filter or sort on hidden tables' values
    candidates: list[str] = []
    deferred = Deferred()  # conditions with no SQL form, checked in a scan (pybase.records.store)
    view_filter = spec.filter_tree() if spec is not None else None
    if view_filter:
        live = records.live_only(view_filter, usable)
        full, candidate = compile_split(live, usable, query_params, conditions, deferred)
        parts.append(full)
        candidates.append(candidate)
    formula = prepare_formula_filter(params.filter_by_formula or "", usable.fields)
    if formula is not None and formula.sql:
        parts.append(f"coalesce({formula.sql}, false)")
        candidates.append(parts[-1])
    elif formula is not None and formula.scan is not None:
        check = formula.scan
        parts.append(deferred.formula(check.stored, check.field_ids, check.reason, ctx.table.id))
    where = " AND ".join(parts) if parts else "TRUE"
    residual = store.Residual(where, deferred, usable.fields) if deferred.leaves else None
    if residual is not None:
        where = " AND ".join(candidates) if candidates else "TRUE"
    if params.sort:
        sorts = []
        for item in params.sort:
            if not isinstance(item, dict) or "field" not in item:
                raise invalid_request("Invalid request: each sort is {field, direction}")
            direction = str(item.get("direction") or "asc").lower()
            if direction not in ("asc", "desc"):
                raise invalid_request(f'Invalid request: sort direction "{direction}" is not asc or desc')
            sorts.append({"field": _field(ctx, item["field"]).id, "direction": direction})
    else:
        sorts = [s for s in (spec.sorts if spec is not None else []) if records.is_live(s, usable)]
    try:
        keys = compile_sorts(sorts, usable)
    except pe.ValidationFailed as exc:
        raise invalid_request(exc.message, "INVALID_SORT") from None
    cursor, returned = _offset_decode(params.offset) if params.offset else (None, 0)
    limit = page_size if max_records is None else min(page_size, max_records - returned)
    if limit <= 0:
        return {"records": []}
    try:
        cursor_values = decode_cursor(cursor, keys) if cursor else None
    except pe.BadRequest:
        raise AirtableError(422, "INVALID_OFFSET_VALUE", "The value of offset is invalid") from None
    listing = store.Listing(ctx.table.id, where, query_params, keys, conditions, residual)
    try:
        fetched = store.page(session, listing, after=cursor_values, limit=limit + 1)
    except store.ScanOutOfTime as exc:
        # The formula (or the view's filter) has no SQL form and the scan ran out of time.
        scanned_formula = formula is not None and formula.scan is not None
        raise AirtableError(
            422, "INVALID_FILTER_BY_FORMULA" if scanned_formula else "INVALID_REQUEST_UNKNOWN", exc.message
        ) from None
    rows = store.rows_of(fetched[:limit])
    result: dict[str, Any] = {"records": records_out(session, ctx, rows, shown, fmt)}
    # Same as the records listing: big tables get expression indexes for what they are filtered
    # (views) and sorted by, built after commit.
    sort_fields = [ctx.fields.by_id[k.field_id] for k in keys if k.field_id is not None]
    indexes.ensure_indexes(session, table_id=ctx.table.id, wanted=indexes.wanted_indexes(conditions, sort_fields))
    total = returned + len(rows)
    if len(fetched) > limit and (max_records is None or total < max_records):
        result["offset"] = _offset_encode(store.next_cursor(listing, fetched[limit - 1]), total)
    return result


def get_record(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, by_id: bool,
    params: ListParams | None = None,
) -> dict[str, Any]:  # fmt: skip
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="viewer")
    fmt = Format(by_id=by_id, zone=_zone(params) if params else None)
    found = _records_out(session, ctx, [record_id], fmt) if looks_like_id(record_id, "rec") else []
    if not found:
        raise AirtableError(404, None, "NOT_FOUND")
    return found[0]


# --- writes -------------------------------------------------------------------------------------


def _check_write_fields(ctx: records.TableContext, items: list[dict[str, Any]]) -> None:
    for item in items:
        values = item.get("fields")
        if not isinstance(values, dict):
            raise invalid_request("Invalid request: each record needs a fields object", "INVALID_RECORDS")
        for key in values:
            field = ctx.fields.by_name.get(key) or ctx.fields.by_id.get(key)
            if field is None:
                raise unknown_field(key)
            if get_field_type(field.type).read_only:
                raise AirtableError(
                    422, "INVALID_VALUE_FOR_COLUMN",
                    f'Field "{field.name}" cannot accept a value because the field is computed',
                )  # fmt: skip


def _value_error(ctx: records.TableContext, exc: pe.ValidationFailed) -> AirtableError:
    details = exc.details if isinstance(exc.details, dict) else {}
    # Some writes (links) report one field at the top level of details rather than a list of errors.
    errors = details.get("errors") or ([{"field": details["field"], "message": exc.message}] if details.get("field")
                                       else [])  # fmt: skip
    for error in errors:
        field = ctx.fields.by_id.get(error.get("field") or "") or ctx.fields.by_name.get(error.get("field") or "")
        if error.get("code") == "unknown_option":
            # Airtable's answer when a write names a select option that does not exist without typecast.
            return AirtableError(
                422, "INVALID_MULTIPLE_CHOICE_OPTIONS",
                f'Insufficient permissions to create new select option ""{error.get("value")}""',
            )  # fmt: skip
        if field is not None:
            return AirtableError(
                422, "INVALID_VALUE_FOR_COLUMN",
                f'Field "{field.name}" cannot accept the provided value: {error.get("message", "")}'.rstrip(": "),
            )  # fmt: skip
        if error.get("message"):
            return invalid_request(f"Invalid request: {error['message']}", "INVALID_RECORDS")
    return invalid_request(exc.message)


def _write_batch(items: Any, *, need_ids: bool) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not items:
        raise invalid_request("Invalid request: records must be a non-empty array", "INVALID_RECORDS")
    if len(items) > MAX_WRITE_BATCH:
        raise invalid_request(
            f"Invalid request: at most {MAX_WRITE_BATCH} records per request, got {len(items)}", "INVALID_RECORDS"
        )
    for item in items:
        if not isinstance(item, dict):
            raise invalid_request("Invalid request: each record is an object", "INVALID_RECORDS")
        if need_ids:
            _record_id(item.get("id"))
    return items


def _record_id(value: Any) -> str:
    if not isinstance(value, str) or not looks_like_id(value, "rec"):
        raise AirtableError(404, "MODEL_ID_NOT_FOUND", f'Could not find a record with ID "{value}".')
    return value


def _call(ctx: records.TableContext, fn: Any, **kwargs: Any) -> Any:
    """Run a records-service write, turning its errors into Airtable's."""
    try:
        return fn(**kwargs)
    except pe.NotFound as exc:
        ids = (exc.details or {}).get("ids") if isinstance(exc.details, dict) else None
        missing = ids[0] if ids else (exc.details or {}).get("id", "") if isinstance(exc.details, dict) else ""
        raise AirtableError(404, "MODEL_ID_NOT_FOUND", f'Could not find a record with ID "{missing}".') from None
    except pe.ValidationFailed as exc:
        raise _value_error(ctx, exc) from None


def create_records(
    session: Session, *, principal: Principal, base_id: str, table: str, body: dict[str, Any]
) -> dict[str, Any]:
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="editor")
    single = "records" not in body
    if single and "fields" not in body:
        raise invalid_request('Could not find field "fields" in the request body', "INVALID_REQUEST_MISSING_FIELDS")
    items = [{"fields": body.get("fields", {})}] if single else _write_batch(body.get("records"), need_ids=False)
    _check_write_fields(ctx, items)
    if body.get("typecast"):
        link_text_to_ids(session, principal=principal, ctx=ctx, items=items)
    created = _call(
        ctx, records.create_records, session=session, principal=principal, table_id=ctx.table.id,
        records=[{"fields": i["fields"]} for i in items], typecast=bool(body.get("typecast")),
    )  # fmt: skip
    out = _records_out(session, ctx, [r["id"] for r in created], Format(by_id=bool(body.get("returnFieldsByFieldId"))))
    return out[0] if single else {"records": out}


def update_records(
    session: Session, *, principal: Principal, base_id: str, table: str, body: dict[str, Any], replace: bool
) -> dict[str, Any]:
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="editor")
    fmt = Format(by_id=bool(body.get("returnFieldsByFieldId")))
    typecast = bool(body.get("typecast"))
    upsert = body.get("performUpsert")
    items = _write_batch(body.get("records"), need_ids=upsert is None)
    _check_write_fields(ctx, items)
    if typecast:
        link_text_to_ids(session, principal=principal, ctx=ctx, items=items)
    if upsert is None:
        updated = _call(
            ctx, records.update_records, session=session, principal=principal, table_id=ctx.table.id,
            records=[{"id": i["id"], "fields": i["fields"]} for i in items], replace=replace, typecast=typecast,
        )  # fmt: skip
        return {"records": _records_out(session, ctx, [r["id"] for r in updated], fmt)}
    merge_on = upsert.get("fieldsToMergeOn") if isinstance(upsert, dict) else None
    if not isinstance(merge_on, list) or not 1 <= len(merge_on) <= 3:
        raise invalid_request("Invalid request: performUpsert.fieldsToMergeOn lists 1 to 3 fields")
    merge_fields = [_field(ctx, name) for name in merge_on]
    with_id = [i for i in items if "id" in i]
    for item in with_id:
        _record_id(item["id"])
    # A record with a blank merge value matches nothing: Airtable creates it, as a plain create would.
    blank_key = [i for i in items if "id" not in i and not _has_merge_values(i["fields"], merge_fields)]
    by_key = [i for i in items if "id" not in i and _has_merge_values(i["fields"], merge_fields)]
    updated_ids: list[str] = []
    created_ids: list[str] = []
    order: dict[int, str] = {}
    if with_id:
        done = _call(
            ctx, records.update_records, session=session, principal=principal, table_id=ctx.table.id,
            records=[{"id": i["id"], "fields": i["fields"]} for i in with_id], replace=replace, typecast=typecast,
        )  # fmt: skip
        updated_ids += [r["id"] for r in done]
        for item, rec in zip(with_id, done, strict=True):
            order[id(item)] = rec["id"]
    if by_key:
        # PUT replaces: every writable field not given is cleared (None) on the matched records; on
        # records the upsert creates, None is simply no value.
        blank = _cleared_fields(ctx) if replace else {}
        result = _call(
            ctx, records.upsert_records, session=session, principal=principal, table_id=ctx.table.id,
            records=[{"fields": {**blank, **_by_field_id(ctx, i["fields"])}} for i in by_key],
            merge_on=[f.id for f in merge_fields],
            typecast=typecast,
        )  # fmt: skip
        updated_ids += result["updated_ids"]
        created_ids += result["created_ids"]
        for item, rec in zip(by_key, result["records"], strict=True):
            order[id(item)] = rec["id"]
    if blank_key:
        done = _call(
            ctx, records.create_records, session=session, principal=principal, table_id=ctx.table.id,
            records=[{"fields": i["fields"]} for i in blank_key], typecast=typecast,
        )  # fmt: skip
        created_ids += [r["id"] for r in done]
        for item, rec in zip(blank_key, done, strict=True):
            order[id(item)] = rec["id"]
    ids = [order[id(item)] for item in items]
    return {
        "records": _records_out(session, ctx, ids, fmt),
        "updatedRecords": updated_ids,
        "createdRecords": created_ids,
    }


def _has_merge_values(given: dict[str, Any], merge_fields: list[Any]) -> bool:
    return all(given.get(f.name, given.get(f.id)) not in (None, "", []) for f in merge_fields)


def _cleared_fields(ctx: records.TableContext) -> dict[str, None]:
    return {f.id: None for f in ctx.fields.fields if not get_field_type(f.type).read_only}


def _by_field_id(ctx: records.TableContext, values: dict[str, Any]) -> dict[str, Any]:
    """Values keyed by field ID (names and IDs are both accepted on write; names resolve first)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        field = ctx.fields.by_name.get(key) or ctx.fields.by_id[key]
        out[field.id] = value
    return out


def update_record(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, body: dict[str, Any],
    replace: bool,
) -> dict[str, Any]:  # fmt: skip
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="editor")
    _record_id(record_id)
    item = {"id": record_id, "fields": body.get("fields", {})}
    _check_write_fields(ctx, [item])
    if body.get("typecast"):
        link_text_to_ids(session, principal=principal, ctx=ctx, items=[item])
    _call(
        ctx, records.update_records, session=session, principal=principal, table_id=ctx.table.id, records=[item],
        replace=replace, typecast=bool(body.get("typecast")),
    )  # fmt: skip
    return _records_out(session, ctx, [record_id], Format(by_id=bool(body.get("returnFieldsByFieldId"))))[0]


def delete_records(
    session: Session, *, principal: Principal, base_id: str, table: str, record_ids: list[str]
) -> list[dict[str, Any]]:
    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table, role="editor")
    if not record_ids:
        raise invalid_request("Invalid request: name the records to delete with records[]", "INVALID_RECORDS")
    if len(record_ids) > MAX_WRITE_BATCH:
        raise invalid_request(f"Invalid request: at most {MAX_WRITE_BATCH} records per request", "INVALID_RECORDS")
    for record_id in record_ids:
        _record_id(record_id)
    deleted = _call(
        ctx, records.delete_records, session=session, principal=principal, table_id=ctx.table.id,
        record_ids=record_ids,
    )  # fmt: skip
    return [{"id": rid, "deleted": True} for rid in deleted]


# --- meta ---------------------------------------------------------------------------------------


def whoami(session: Session, *, principal: Principal) -> dict[str, Any]:
    from pybase.auth.models import User

    user = session.get(User, principal.user_id)
    scopes = TOKEN_SCOPES.get(principal.token_scope or "", ALL_SCOPES)
    out: dict[str, Any] = {"id": principal.user_id, "scopes": scopes}
    if user is not None:
        out["email"] = user.email
    return out


def list_bases(session: Session, *, principal: Principal) -> dict[str, Any]:
    from pybase.bases import service as bases
    from pybase.workspaces import service as workspaces

    out = []
    for workspace, _ in workspaces.list_workspaces(session, principal=principal):
        for base, role in bases.list_bases(session, principal=principal, workspace_id=workspace.id):
            if role is not None:
                out.append({"id": base.id, "name": base.name, "permissionLevel": PERMISSION_LEVELS[role]})
    return {"bases": out}


def base_collaborators(session: Session, *, principal: Principal, base_id: str) -> dict[str, Any]:
    """Airtable's "get base collaborators": the base and who reaches it through the workspace or a base
    grant. Owners and admins (Airtable's "create" level) may read it; groups, invite links and
    interfaces do not exist in PyBase and are empty."""
    from pybase.access.models import Grant
    from pybase.auth.models import User
    from pybase.bases import service as bases
    from pybase.workspaces.models import Workspace, WorkspaceMember

    if not looks_like_id(base_id, "app"):
        raise no_model()
    base, role = bases.get_base(session, principal=principal, base_id=base_id)
    if PERMISSION_LEVELS.get(role or "") != "create":
        raise AirtableError(403, "INVALID_PERMISSIONS", "You are not permitted to perform this operation")
    owner_id = session.scalar(select(Workspace.created_by).where(Workspace.id == base.workspace_id))

    def person(user: Any, role: str, since: datetime) -> dict[str, Any]:
        return {"userId": user.id, "email": user.email, "permissionLevel": PERMISSION_LEVELS[role],
                "createdTime": created_time(since), "grantedByUserId": owner_id or user.id}  # fmt: skip

    via_workspace = [
        person(user, member.role, member.created_at)
        for member, user in session.execute(
            select(WorkspaceMember, User).join(User, User.id == WorkspaceMember.user_id)
            .where(WorkspaceMember.workspace_id == base.workspace_id).order_by(WorkspaceMember.created_at, User.id)
        )
    ]  # fmt: skip
    via_base = [
        person(user, grant.role, grant.created_at)
        for grant, user in session.execute(
            select(Grant, User).join(User, User.id == Grant.user_id)
            .where(Grant.scope_type == "base", Grant.scope_id == base.id).order_by(Grant.created_at, User.id)
        )
    ]  # fmt: skip
    return {
        "id": base.id,
        "name": base.name,
        "createdTime": created_time(base.created_at),
        "permissionLevel": PERMISSION_LEVELS[role or "viewer"],
        "workspaceId": base.workspace_id,
        "individualCollaborators": {"baseCollaborators": via_base, "workspaceCollaborators": via_workspace},
        "groupCollaborators": {"baseCollaborators": [], "workspaceCollaborators": []},
        "inviteLinks": {"baseInviteLinks": [], "workspaceInviteLinks": []},
        "interfaces": {},
    }


def _table_schemas(session: Session, table_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schemas of tables the caller can reach, with fields and views in two queries."""
    ids = [t["id"] for t in table_rows]
    fields: dict[str, list[Field]] = {tid: [] for tid in ids}
    all_fields: dict[str, Field] = {}
    for field in session.scalars(
        select(Field).where(Field.table_id.in_(ids), Field.deleted_at.is_(None)).order_by(Field.position, Field.id)
    ):
        fields[field.table_id].append(field)
        all_fields[field.id] = field
    views: dict[str, list[View]] = {tid: [] for tid in ids}
    for view in session.scalars(
        select(View).where(View.table_id.in_(ids), View.deleted_at.is_(None)).order_by(View.position, View.id)
    ):
        views[view.table_id].append(view)
    out = []
    for table in table_rows:
        primary = table["primary_field_id"]
        table_fields = fields[table["id"]]
        if table_fields and primary not in {f.id for f in table_fields}:
            primary = table_fields[0].id
        # The primary field comes first, as in Airtable's schema.
        table_fields.sort(key=lambda f: f.id != primary)
        item: dict[str, Any] = {"id": table["id"], "name": table["name"], "primaryFieldId": primary}
        if table.get("description"):
            item["description"] = table["description"]
        item["fields"] = [schemas.field_schema(f, all_fields.get) for f in table_fields]
        item["views"] = [{"id": v.id, "name": v.name, "type": v.type} for v in views[table["id"]]]
        out.append(item)
    return out


def base_schema(session: Session, *, principal: Principal, base_id: str) -> dict[str, Any]:
    from pybase.tables import service as tables

    if not looks_like_id(base_id, "app"):
        raise no_model()
    rows = tables.list_tables(session, principal=principal, base_id=base_id)
    return {"tables": _table_schemas(session, rows)}


def _table_schema(session: Session, table: Table) -> dict[str, Any]:
    row = {"id": table.id, "name": table.name, "description": table.description,
           "primary_field_id": table.primary_field_id}  # fmt: skip
    return _table_schemas(session, [row])[0]


def _pybase_field(spec: schemas.FieldIn) -> tuple[str, dict[str, Any]]:
    try:
        return schemas.pybase_type(spec.type, spec.options)
    except KeyError:
        raise invalid_request(
            f'Invalid request: field type "{spec.type}" is not supported', "INVALID_FIELD_TYPE"
        ) from None


def create_table(session: Session, *, principal: Principal, base_id: str, body: schemas.TableIn) -> dict[str, Any]:
    from pybase.fields import service as fields
    from pybase.tables import service as tables

    if not looks_like_id(base_id, "app"):
        raise no_model()
    names = [f.name.strip().lower() for f in body.fields]
    if len(set(names)) != len(names):
        raise invalid_request("Invalid request: field names must be unique", "DUPLICATE_OR_EMPTY_FIELD_NAME")
    specs = [(spec, *_pybase_field(spec)) for spec in body.fields]
    created = tables.create_table(
        session, principal=principal, base_id=base_id, name=body.name.strip(), description=body.description
    )
    # Airtable's first field is the primary field: it takes the place of PyBase's default one.
    first, first_type, first_options = specs[0]
    fields.update_field(
        session, principal=principal, field_id=created["primary_field_id"], name=first.name,
        type=first_type, options=first_options, description=first.description,
    )  # fmt: skip
    for spec, type_name, options in specs[1:]:
        fields.create_field(
            session, principal=principal, table_id=created["id"], name=spec.name, type=type_name, options=options,
            description=spec.description,
        )  # fmt: skip
    table = session.get(Table, created["id"])
    assert table is not None
    return _table_schema(session, table)


def update_table(
    session: Session, *, principal: Principal, base_id: str, table_id: str, body: schemas.NamePatch
) -> dict[str, Any]:
    from pybase.tables import service as tables

    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table_id, role="viewer")
    tables.update_table(session, principal=principal, table_id=ctx.table.id, name=body.name,
                        description=body.description)  # fmt: skip
    return _table_schema(session, ctx.table)


def create_field(
    session: Session, *, principal: Principal, base_id: str, table_id: str, body: schemas.FieldIn
) -> dict[str, Any]:
    from pybase.fields import service as fields

    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table_id, role="viewer")
    type_name, options = _pybase_field(body)
    created = fields.create_field(
        session, principal=principal, table_id=ctx.table.id, name=body.name, type=type_name, options=options,
        description=body.description,
    )  # fmt: skip
    field = session.get(Field, created["id"])
    assert field is not None
    return schemas.field_schema(field, lambda fid: session.get(Field, fid))


def update_field(
    session: Session, *, principal: Principal, base_id: str, table_id: str, field_id: str, body: schemas.NamePatch
) -> dict[str, Any]:
    from pybase.fields import service as fields

    ctx = resolve_table(session, principal=principal, base_id=base_id, table=table_id, role="viewer")
    if field_id not in ctx.fields.by_id:
        raise no_model()
    fields.update_field(session, principal=principal, field_id=field_id, name=body.name, description=body.description)
    field = session.get(Field, field_id)
    assert field is not None
    return schemas.field_schema(field, lambda fid: session.get(Field, fid))
