"""Records: create, read, update (merge or replace), delete, upsert, list. No HTTP here.

Every function checks access first (reads: viewer, writes: editor), validates the whole batch
before writing anything (all-or-nothing), writes history rows and one change event in the same
transaction, and flushes without committing (the caller's unit of work commits).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import LIVE_TABLE_ROLE_SQL, decide_table, require_table, table_reader
from pybase.db import execute_prepared, utcnow
from pybase.errors import NotFound, PayloadTooLarge, PreconditionFailed, ValidationFailed
from pybase.events import service as events
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldType, FieldValueError, Params, WriteContext, WrittenCell
from pybase.history import service as history
from pybase.ids import looks_like_id
from pybase.links import computed as links_computed
from pybase.links import service as links
from pybase.records import indexes, store
from pybase.records.query import (
    ROW_COLUMNS,
    Condition,
    Deferred,
    FieldSet,
    compile_sorts,
    compile_split,
    decode_cursor,
    parse_sort_param,
)
from pybase.records.store import Row
from pybase.tables.models import Table
from pybase.workspaces.models import WorkspaceMember

MAX_BATCH = 1000
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 10_000_000
DEFAULT_PAGE_SIZE = 100
EVENT_VALUES_MAX_RECORDS = 10
EVENT_VALUES_MAX_BYTES = 4_000


@dataclass
class TableContext:
    table: Table
    workspace_id: str
    role: str
    fields: FieldSet
    # Writable fields by ID and by name as (plain copy, type), built on first validation.
    writers: dict[str, tuple[Any, Any]] | None = None
    # Who asked: computed values from linked tables they cannot read are left out of responses.
    principal: Principal | None = None
    # True when the access comes from the workspace or a base grant: every table of the base is
    # readable then (links stay within a base), so no linked table needs checking.
    base_wide: bool = False
    # The table's newest change event when read with the context (read_context(latest_event=True)).
    latest_event_id: int | None = None


_LIVE_FIELDS = (
    select(Field)
    .where(Field.table_id == bindparam("table_id"), Field.deleted_at.is_(None))
    .order_by(Field.position, Field.id)
)


def table_context(session: Session, *, principal: Principal, table_id: str, role: str) -> TableContext:
    """Access check plus the table's live fields, as ORM objects (callers may change them)."""
    access = require_table(session, principal=principal, table_id=table_id, need=role)
    fields = FieldSet(live_fields(session, table_id=table_id))
    return TableContext(
        access.table, access.workspace_id, access.role, fields, principal=principal, base_wide=access.base_wide
    )


class TableView:
    """The attributes of a table the record writes read (see write_context)."""

    __slots__ = ("base_id", "id", "name", "primary_field_id")

    def __init__(self, id: str, base_id: str, name: str, primary_field_id: str | None) -> None:
        self.id = id
        self.base_id = base_id
        self.name = name
        self.primary_field_id = primary_field_id


# The access statement (pybase.access) plus the live fields (as JSON) in one statement, optionally
# with one record: a single round trip where the ORM path takes two or three and ~1.5 ms of CPU.
_WRITE_CONTEXT_SQL = (
    "SELECT a.*, (SELECT json_agg(json_build_array(f.id, f.name, f.type, f.options, f.position, f.description) "
    "ORDER BY f.position, f.id) FROM fields f WHERE f.table_id = a.id AND f.deleted_at IS NULL){columns} "
    "FROM (" + LIVE_TABLE_ROLE_SQL + ") a{join}"
)
_WRITE_CONTEXT = _WRITE_CONTEXT_SQL.format(columns="", join="")
# The table's ID is written into the join (a checked ID: letters and digits): the prepared
# statement of each table then reads its own partition, where a parameter would make its generic
# plan hold every partition of `records`.
_WRITE_CONTEXT_WITH_RECORD = _WRITE_CONTEXT_SQL.format(
    columns=", " + ROW_COLUMNS,
    join=" LEFT JOIN records r ON r.table_id = '{table_id}' AND r.id = %(record_id)s AND r.deleted_at IS NULL",
)
_READ_CONTEXT_WITH_EVENT = _WRITE_CONTEXT_SQL.format(
    columns=", (SELECT max(e.id) FROM change_events e WHERE e.table_id = a.id)", join=""
)


def write_context(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    role: str,
    record_id: str | None = None,
    latest_event: bool = False,
) -> tuple[TableContext, Row | None]:
    """table_context for the record write paths, with plain copies of the table and its fields
    (TableView, FieldView) instead of ORM objects; with `record_id`, also that live record as read
    now, without a lock, or None; with `latest_event` (not with a record), the table's newest change
    event ID in ctx.latest_event_id. Same access rules as table_context (the role is checked before
    the record is used)."""
    if not looks_like_id(table_id, "tbl"):
        raise NotFound("Table not found", details={"id": table_id})
    raw = session.connection().connection.driver_connection
    params = {"table_id": table_id, "user_id": principal.user_id, "record_id": record_id}
    if record_id is not None:
        sql = _WRITE_CONTEXT_WITH_RECORD.replace("{table_id}", table_id)
    else:
        sql = _READ_CONTEXT_WITH_EVENT if latest_event else _WRITE_CONTEXT
    # Prepared: planning this statement took 0.5 ms of its 0.8, and its plan (primary-key lookups)
    # is the same for every caller.
    row = execute_prepared(raw, sql, params).fetchone()
    if row is None:
        raise NotFound("Table not found", details={"id": table_id})
    table = TableView(row[0], row[1], row[2], row[3])
    access = decide_table(principal, table=table, workspace_id=row[4], roles=row[5:8], need=role)
    fields = [FieldView.of(f[0], f[1], f[2], f[3], table_id, f[4], f[5]) for f in row[8] or ()]
    record = Row(*row[9:]) if record_id is not None and row[9] is not None else None
    ctx = TableContext(
        table,  # type: ignore[arg-type]
        access.workspace_id,
        access.role,  # type: ignore[arg-type]
        FieldSet(fields),
        principal=principal,
        base_wide=access.base_wide,
    )
    if latest_event and record_id is None:
        ctx.latest_event_id = int(row[9] or 0)
    return ctx, record


def read_context(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    queries: bool = True,
    record_id: str | None = None,
    latest_event: bool = False,
) -> tuple[TableContext, Row | None]:
    """write_context for the record reads (viewer). The computed field types compile their filter
    and sort SQL from the field's ORM session (pybase.links.computed.session_of), so with `queries`
    a table holding any swaps its plain copies for ORM fields: one more round trip, only there."""
    ctx, record = write_context(
        session, principal=principal, table_id=table_id, role="viewer", record_id=record_id, latest_event=latest_event
    )
    if queries and links_computed.needs_loading(ctx.fields.fields):
        ctx.fields = FieldSet(live_fields(session, table_id=table_id))
    return ctx, record


def live_fields(session: Session, *, table_id: str) -> list[Field]:
    return list(session.scalars(_LIVE_FIELDS, {"table_id": table_id}))


# --- serialization ----------------------------------------------------------------------------


class FieldView:
    """A plain copy of a field's attributes: the field types read them per cell, and ORM attribute
    access costs several times a plain one (a page of 1,000 records reads 10,000s of them)."""

    __slots__ = ("description", "id", "name", "options", "position", "table_id", "type")

    def __init__(self, field: Any) -> None:
        self.id = field.id
        self.name = field.name
        self.type = field.type
        self.options = field.options or {}
        self.table_id = getattr(field, "table_id", None)
        self.position = getattr(field, "position", 0)
        self.description = getattr(field, "description", None)

    @classmethod
    def of(
        cls, id: str, name: str, type: str, options: Any, table_id: str | None, position: int, description: str | None
    ) -> FieldView:
        view = cls.__new__(cls)
        view.id, view.name, view.type, view.options = id, name, type, options or {}
        view.table_id, view.position, view.description = table_id, position, description
        return view


def _plan(fields: list[Any], field_key: str) -> list[tuple[str, Any, Any, Any]]:
    """(output key, reader, serializer, field) per field: a reader where the type reads the row
    itself (computed types), else a serializer of the stored value where the type changes it, else
    neither (the API value is the stored one)."""
    plan = []
    for f in fields:
        reader, serializer = _accessors(get_field_type(f.type))
        plan.append((f.id if field_key == "id" else f.name, reader, serializer, FieldView(f)))
    return plan


def _accessors(ftype: Any) -> tuple[Any, Any]:
    # Reading the stored value straight from the row saves one or two calls per cell (a page has
    # 1,000 cells, a batch response 10,000s): 0.05 ms of a 100-record page for each call saved.
    kind = type(ftype)
    if kind.read is not FieldType.read:
        return ftype.read, None
    if kind.serialize is not FieldType.serialize:
        return None, ftype.serialize
    return None, None


def serialize(row: Row, fields: list[Any], *, field_key: str = "id", plan: list[Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    data = row.data
    for key, read, convert, field in plan if plan is not None else _plan(fields, field_key):
        if read is not None:
            value = read(row, field)
        else:
            value = data.get(field.id)
            if value is not None and convert is not None:
                value = convert(value, field)
        if value is not None:
            values[key] = value
    created = _iso(row.created_at)
    return {
        "id": row.id,
        "version": row.version,
        "created_at": created,
        # A record never changed since it was created has both times equal: formatted once.
        "updated_at": created if row.updated_at == row.created_at else _iso(row.updated_at),
        "fields": values,
    }


_last_iso: tuple[datetime | None, str] = (None, "")


def _iso(moment: datetime) -> str:
    # Rows written together share one timestamp: format it once per batch, not twice per row.
    global _last_iso
    if _last_iso[0] != moment:
        _last_iso = (moment, moment.isoformat().replace("+00:00", "Z"))
    return _last_iso[1]


def _check_link_targets(session: Session, ctx: TableContext, link_writes: list[dict[str, Any]]) -> None:
    """Linking records of a table the caller cannot read is refused the same way whether the record IDs
    exist or not (else the answer would tell which do); clearing such a cell stays allowed."""
    if ctx.principal is None or ctx.base_wide:
        return
    used = {field_id for writes in link_writes for field_id, ids in writes.items() if ids}
    if not used:
        return
    readable = table_reader(session, ctx.principal)
    for field_id in sorted(used):
        field = ctx.fields.by_id[field_id]
        if not readable(str((field.options or {}).get("linked_table_id") or "")):
            raise ValidationFailed(
                f"Field {field.name!r} links to a table you cannot read: its links can only be cleared.",
                details={"field": field_id},
            )


def queryable_fields(session: Session, ctx: TableContext) -> FieldSet:
    """The fields a caller may filter and sort by: a filter on a value from a linked table the caller
    cannot read would test that value (a hidden lookup `= 'x'`), so those fields are left out and a
    filter naming one answers like an unknown field."""
    if ctx.principal is None or ctx.base_wide or not any(f.type == "link" for f in ctx.fields.fields):
        return ctx.fields
    hidden = links_computed.hidden_fields(ctx.fields.fields, table_reader(session, ctx.principal))
    return FieldSet([f for f in ctx.fields.fields if f.id not in hidden]) if hidden else ctx.fields


def serialize_rows(
    session: Session,
    rows: list[Row],
    shown: list[Field],
    all_fields: list[Field],
    *,
    field_key: str = "id",
    principal: Principal | None,
    ctx: TableContext | None = None,
) -> list[dict[str, Any]]:
    """Serialize rows, loading computed fields for all of them at once (a fixed number of queries).
    Computed values from linked tables `principal` cannot read are left out (None: show everything);
    `ctx`, the table's context, saves the checks when the caller reads the whole base."""
    if links_computed.needs_loading(shown):
        base_wide = ctx is not None and ctx.base_wide
        readable = None if principal is None or base_wide else table_reader(session, principal)
        links_computed.attach(session, table_fields=all_fields, rows=rows, wanted=shown, readable=readable)
    plan = _plan(shown, field_key)
    return [serialize(row, shown, field_key=field_key, plan=plan) for row in rows]


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | None:
    if header is None or header.strip() in ("", "*"):
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise PreconditionFailed("If-Match must be an ETag from a previous response.", details={"if_match": header})
    return int(value)


# --- validation -------------------------------------------------------------------------------


def _workspace_members(session: Session, ctx: TableContext) -> set[str] | None:
    if not any(f.type == "user" for f in ctx.fields.fields):
        return None
    return set(session.scalars(select(WorkspaceMember.user_id).where(WorkspaceMember.workspace_id == ctx.workspace_id)))


def _clean_values(
    values: Any, ctx: TableContext, wctx: WriteContext, index: int, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    """API field values -> storage values by field ID (None: clear). Errors are collected."""
    if not isinstance(values, dict):
        errors.append({"index": index, "message": "fields must be an object."})
        return {}
    writers = ctx.writers
    if writers is None:
        writers = ctx.writers = {}
        for f in ctx.fields.fields:
            entry = (FieldView(f), get_field_type(f.type))
            writers.setdefault(f.name, entry)
            writers[f.id] = entry
    out: dict[str, Any] = {}
    for key, value in values.items():
        entry = writers.get(key)
        if entry is None:
            errors.append({"index": index, "field": key, "message": f"Unknown field {key!r}."})
            continue
        field, ftype = entry
        # `field` names the field as the request keyed it (ID or name); `field_id` is always the ID.
        if ftype.read_only:
            errors.append(
                {"index": index, "field": key, "field_id": field.id, "message": f"{field.name!r} is computed."}
            )
            continue
        try:
            out[field.id] = ftype.to_storage(value, field, wctx)
        except FieldValueError as exc:
            error = {"index": index, "field": key, "field_id": field.id, "message": exc.message}
            if getattr(exc, "code", None):  # kinds an API maps to its own error type (unknown select option)
                error.update(code=exc.code, value=getattr(exc, "value", None))  # type: ignore[attr-defined]
            errors.append(error)
    return out


def _raise_errors(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise ValidationFailed(
            f"{len(errors)} value(s) are not valid; nothing was written.",
            details={"errors": errors[:100], "error_count": len(errors)},
        )


def _check_batch(items: Any, what: str = "records") -> list[Any]:
    if not isinstance(items, list) or not items:
        raise ValidationFailed(f"{what} must be a non-empty list.")
    if len(items) > MAX_BATCH:
        raise PayloadTooLarge(
            f"At most {MAX_BATCH} records per request.", details={"max": MAX_BATCH, "received": len(items)}
        )
    return items


def _event_payload(ids: list[str], changes: list[tuple[str, dict[str, Any]]] | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"record_ids": ids}
    if changes and len(changes) <= EVENT_VALUES_MAX_RECORDS:
        detailed = {"record_ids": ids, "records": [{"id": rid, "fields": values} for rid, values in changes]}
        if len(json.dumps(detailed, default=str)) <= EVENT_VALUES_MAX_BYTES:
            return detailed
        payload["field_ids"] = sorted({fid for _, values in changes for fid in values})
    elif changes:
        payload["field_ids"] = sorted({fid for _, values in changes for fid in values})
    return payload


def _persist_new_options(session: Session, wctx: WriteContext, ctx: TableContext) -> None:
    # typecast added select options to the plain copies of the fields: save them on the fields.
    for field_id, view in wctx.changed_fields.items():
        field = ctx.fields.by_id[field_id]
        field.options = dict(view.options)
        if isinstance(field, FieldView):  # from write_context: not an ORM object, so write it here
            session.execute(update(Field).where(Field.id == field_id).values(options=field.options))
        elif isinstance(view, FieldView):
            view.options = field.options
    if wctx.changed_fields:
        session.flush()


def _after_writes(
    session: Session, ctx: TableContext, wctx: WriteContext, principal: Principal, rows: list[Row]
) -> None:
    """The follow-up work field types noted while cleaning values (files given by URL to fetch), now
    that the rows have their IDs; nothing to do for most writes."""
    for field_id, noted in wctx.followups.items():
        field = ctx.fields.by_id.get(field_id)
        if field is None:
            continue
        ftype = get_field_type(field.type)
        for row in rows:
            value = row.data.get(field_id)
            if value is None:
                continue
            ftype.after_write(session, field, WrittenCell(
                workspace_id=ctx.workspace_id, base_id=ctx.table.base_id, table_id=ctx.table.id, record_id=row.id,
                value=value, noted=frozenset(noted), actor_id=principal.user_id,
            ))  # fmt: skip


# --- create -----------------------------------------------------------------------------------


# Byte b < 248 -> alphabet[b % 62]; bytes 248-255 are dropped so each character is equally likely.
_ID_TABLE = bytes((b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")[b % 62] for b in range(256))
_ID_DROP = bytes(range(248, 256))


def record_ids(count: int) -> list[str]:
    """`count` new record IDs (the shape of pybase.ids.new_id("rec")) from one read of the OS's
    random source: new_id draws each character separately, which costs more than the COPY of a row.
    """
    chars = ""
    while len(chars) < 14 * count:
        chars += os.urandom(15 * (14 * count - len(chars)) // 14 + 16).translate(_ID_TABLE, _ID_DROP).decode()
    return ["rec" + chars[i * 14 : (i + 1) * 14] for i in range(count)]


# Trash and restore move the rows they changed (`d`) out of or into the table's live count.
_LIVE_COUNT_CHANGE = (
    "UPDATE record_sequences SET live_count = live_count {sign} (SELECT count(*) FROM d) WHERE table_id = %s"
)


def _allocate_seq(session: Session, table_id: str, count: int) -> int:
    """Reserve `count` sequence numbers for as many new records (counted live from here: the caller
    inserts them in this transaction or it fails); returns the first."""
    raw = session.connection().connection.driver_connection
    last = raw.execute(
        "INSERT INTO record_sequences (table_id, last_seq, live_count) VALUES (%s, %s, %s) ON CONFLICT (table_id) "
        "DO UPDATE SET last_seq = record_sequences.last_seq + EXCLUDED.last_seq, "
        "live_count = record_sequences.live_count + EXCLUDED.live_count RETURNING last_seq",
        (table_id, count, count),
    ).fetchone()[0]
    return int(last) - count + 1


def create_records(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    records: list[Any],
    typecast: bool = False,
    field_key: str = "id",
) -> list[dict[str, Any]]:
    """Create up to 1,000 records: [{"fields": {...}}]. All or nothing."""
    _check_batch(records)
    ctx, _ = write_context(session, principal=principal, table_id=table_id, role="editor")
    if typecast:
        _link_text_to_ids(session, principal, ctx, records)
    return _insert(session, ctx, principal, [r.get("fields", {}) if isinstance(r, dict) else r for r in records],
                   typecast=typecast, field_key=field_key)  # fmt: skip


def _link_text_to_ids(session: Session, principal: Principal, ctx: TableContext, items: list[Any]) -> None:
    """typecast on link cells: text names linked records by their primary field (pybase.links.typecast)."""
    if not any(f.type == "link" for f in ctx.fields.fields):
        return
    from pybase.links.typecast import link_text_to_ids  # it writes through this module

    link_text_to_ids(
        session, principal=principal, ctx=ctx,
        items=[i for i in items if isinstance(i, dict) and isinstance(i.get("fields"), dict)],
    )  # fmt: skip


def create_records_unchecked(
    session: Session,
    *,
    table: Table,
    workspace_id: str,
    records: list[dict[str, Any]],
    actor_id: str | None,
    typecast: bool = False,
) -> list[dict[str, Any]]:
    """Create records WITHOUT an access check, for callers that authorized the write another way
    (a public form opened by its share token). Same validation, all-or-nothing, history and event
    as create_records; `records` are field values by ID or name, `actor_id` the author (or None)."""
    _check_batch(records)
    ctx = TableContext(table, workspace_id, "editor", FieldSet(live_fields(session, table_id=table.id)))
    return _insert(session, ctx, Principal(user_id=actor_id), records, typecast=typecast, field_key="id")  # type: ignore[arg-type]


def _insert(
    session: Session,
    ctx: TableContext,
    principal: Principal,
    values_list: list[Any],
    *,
    typecast: bool,
    field_key: str,
    errors_offset: list[int] | None = None,
) -> list[dict[str, Any]]:
    wctx = WriteContext(typecast=typecast, workspace_members=_workspace_members(session, ctx))
    errors: list[dict[str, Any]] = []
    defaults = {}
    for field in ctx.fields.fields:
        ftype = get_field_type(field.type)
        if not ftype.read_only:
            default = ftype.default(field)
            if default is not None:
                defaults[field.id] = default
    datas: list[dict[str, Any]] = []
    for index, values in enumerate(values_list):
        cleaned = _clean_values(values, ctx, wctx, errors_offset[index] if errors_offset else index, errors)
        data = {**defaults, **cleaned} if defaults else cleaned
        datas.append({k: v for k, v in data.items() if v is not None})
    _raise_errors(errors)
    link_writes = links.split_writes(ctx.fields.fields, datas)
    _check_link_targets(session, ctx, link_writes)
    _persist_new_options(session, wctx, ctx)
    now = utcnow()
    first = _allocate_seq(session, ctx.table.id, len(datas))
    rows = [
        Row(record_id, first + i, data, 1, now, principal.user_id, now, principal.user_id)
        for i, (record_id, data) in enumerate(zip(record_ids(len(datas)), datas, strict=True))
    ]
    # Without computed fields the response needs no query and is built before the COPY ends, while
    # the server is still busy with the last rows.
    early = not links_computed.needs_loading(ctx.fields.fields)
    serialized = store.insert(
        session, ctx.table.id, principal.user_id, now, rows,
        meanwhile=(lambda: serialize_rows(
            session, rows, ctx.fields.fields, ctx.fields.fields, field_key=field_key, principal=principal, ctx=ctx
        )) if early else None,
    )  # fmt: skip
    ids = [row.id for row in rows]
    _after_writes(session, ctx, wctx, principal, rows)
    if any(link_writes):
        links.apply_writes(
            session, table=ctx.table, fields=ctx.fields.fields, actor_id=principal.user_id,
            workspace_id=ctx.workspace_id, writes={row.id: w for row, w in zip(rows, link_writes, strict=True) if w},
        )  # fmt: skip
    emit(
        session,
        type="records.created",
        workspace_id=ctx.workspace_id,
        base_id=ctx.table.base_id,
        table_id=ctx.table.id,
        actor_id=principal.user_id,
        payload=_created_payload(ids, rows, link_writes),
    )
    if serialized is not None:
        return serialized
    return serialize_rows(
        session, rows, ctx.fields.fields, ctx.fields.fields, field_key=field_key, principal=principal, ctx=ctx
    )


def _created_payload(ids: list[str], rows: list[Row], link_writes: list[dict[str, Any]]) -> dict[str, Any]:
    if len(rows) > EVENT_VALUES_MAX_RECORDS:  # no values in the event: skip merging 1,000s of dicts
        return {"record_ids": ids, "field_ids": sorted({f for row in rows for f in row.data}.union(*link_writes))}
    return _event_payload(ids, [(row.id, {**row.data, **w}) for row, w in zip(rows, link_writes, strict=True)])


# --- read -------------------------------------------------------------------------------------


def _valid_record_id(record_id: Any) -> str:
    if not isinstance(record_id, str) or not looks_like_id(record_id, "rec"):
        raise ValidationFailed(
            "A record ID looks like rec followed by 14 letters and digits.", details={"id": record_id}
        )
    return record_id


def get_record(
    session: Session, *, principal: Principal, table_id: str, record_id: str, field_key: str = "id"
) -> dict[str, Any]:
    # One round trip: access, fields and the record (computed values read the copies as they are).
    wanted = record_id if looks_like_id(record_id, "rec") else None
    ctx, row = read_context(session, principal=principal, table_id=table_id, queries=False, record_id=wanted)
    if row is None:
        raise NotFound("Record not found", details={"id": record_id})
    return serialize_rows(
        session, [row], ctx.fields.fields, ctx.fields.fields, field_key=field_key, principal=principal, ctx=ctx
    )[0]


# --- update -----------------------------------------------------------------------------------


def update_records(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    records: list[Any],
    replace: bool = False,
    typecast: bool = False,
    field_key: str = "id",
) -> list[dict[str, Any]]:
    """Update up to 1,000 records: [{"id", "fields", "version"?}]. PATCH merges, PUT (replace) clears
    the writable fields not given. A "version" that is not the current one fails the batch with 412.
    """
    _check_batch(records)
    ctx, _ = write_context(session, principal=principal, table_id=table_id, role="editor")
    if typecast:
        _link_text_to_ids(session, principal, ctx, records)
    return _update(session, ctx, principal, records, replace=replace, typecast=typecast, field_key=field_key)


def _update(
    session: Session,
    ctx: TableContext,
    principal: Principal,
    records: list[Any],
    *,
    replace: bool,
    typecast: bool,
    field_key: str,
    unlocked: dict[str, Row] | None = None,
) -> list[dict[str, Any]]:
    """`unlocked`: the records as read without a lock (update_record); they are written only if
    their version is still the one read, else the update is redone under a row lock."""
    wctx = WriteContext(typecast=typecast, workspace_members=_workspace_members(session, ctx))
    ids, cleaned = _parse_updates(records, ctx, wctx)
    link_writes = links.split_writes(ctx.fields.fields, cleaned)
    _check_link_targets(session, ctx, link_writes)
    if replace:  # PUT clears the link cells it does not give, like every other writable field
        for writes in link_writes:
            for field_id in links.link_fields(ctx.fields.fields):
                writes.setdefault(field_id, [])
    # Link writes change other rows first, so they need the lock from the start.
    optimistic = unlocked is not None and len(ids) == 1 and not any(link_writes)
    rows = unlocked if optimistic else store.fetch(session, ctx.table.id, ids, lock=True)
    assert rows is not None
    _check_current(records, ids, rows)
    _persist_new_options(session, wctx, ctx)
    link_changes = (
        links.apply_writes(
            session, table=ctx.table, fields=ctx.fields.fields, actor_id=principal.user_id,
            workspace_id=ctx.workspace_id, writes={rid: w for rid, w in zip(ids, link_writes, strict=True) if w},
        )
        if any(link_writes)
        else {}
    )  # fmt: skip
    now = utcnow()
    changed_rows, entries, event_changes = _apply_updates(
        ctx, rows, ids, cleaned, link_changes, replace=replace, actor_id=principal.user_id, now=now
    )
    if changed_rows and optimistic:
        if not _update_one_if_unchanged(session, ctx, principal, changed_rows[0], entries[0][3], event_changes, now):
            # Someone changed or deleted the record since it was read: redo the update under a row lock.
            return _update(session, ctx, principal, records, replace=replace, typecast=typecast, field_key=field_key)
    elif changed_rows:
        store.update(session, ctx.table.id, principal.user_id, now, changed_rows)
        history.record_entries(session, table_id=ctx.table.id, actor_id=principal.user_id, at=now, entries=entries)
        emit(
            session,
            type="records.updated",
            workspace_id=ctx.workspace_id,
            base_id=ctx.table.base_id,
            table_id=ctx.table.id,
            actor_id=principal.user_id,
            payload=_event_payload([row.id for row in changed_rows], event_changes),
        )
    _after_writes(session, ctx, wctx, principal, changed_rows)
    changed = [rows[rid] for rid in ids]
    return serialize_rows(
        session, changed, ctx.fields.fields, ctx.fields.fields, field_key=field_key, principal=principal, ctx=ctx
    )


def _parse_updates(records: list[Any], ctx: TableContext, wctx: WriteContext) -> tuple[list[str], list[dict[str, Any]]]:
    """The record IDs and cleaned values of an update batch; every problem of the batch at once
    (ValidationFailed) before anything is read or written."""
    errors: list[dict[str, Any]] = []
    ids: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(records):
        if not isinstance(item, dict) or "id" not in item:
            errors.append({"index": index, "message": "Each record needs an id."})
            cleaned.append({})
            ids.append("")
            continue
        record_id = item["id"]
        if not isinstance(record_id, str) or not looks_like_id(record_id, "rec"):
            errors.append({"index": index, "message": f"{record_id!r} is not a record ID."})
        elif record_id in ids:
            errors.append({"index": index, "message": f"{record_id} appears twice in this request."})
        version = item.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            errors.append({"index": index, "message": "version is a whole number."})
        ids.append(record_id)
        cleaned.append(_clean_values(item.get("fields", {}), ctx, wctx, index, errors))
    _raise_errors(errors)
    return ids, cleaned


def _check_current(records: list[Any], ids: list[str], rows: dict[str, Row]) -> None:
    """Every record exists (else NotFound) and has the version the request expects, if it gives one
    (else PreconditionFailed, 412)."""
    missing = [rid for rid in ids if rid not in rows]
    if missing:
        raise NotFound("Some records do not exist; nothing was written.", details={"ids": missing[:100]})
    stale = [
        {"id": item["id"], "expected": item["version"], "current": rows[item["id"]].version}
        for item in records
        if item.get("version") is not None and item["version"] != rows[item["id"]].version
    ]
    if stale:
        raise PreconditionFailed(
            "A record changed since you read it; nothing was written.", details={"stale": stale[:100]}
        )


def _apply_updates(
    ctx: TableContext,
    rows: dict[str, Row],
    ids: list[str],
    cleaned: list[dict[str, Any]],
    link_changes: dict[str, dict[str, Any]],
    *,
    replace: bool,
    actor_id: str,
    now: datetime,
) -> tuple[list[Row], list[tuple[str, int, str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """Merge (PATCH) or replace (PUT) the values into the rows in place; the rows that changed (their
    version advanced), their history entries and their event values. Unchanged rows stay as read."""
    writable = {f.id for f in ctx.fields.fields if not get_field_type(f.type).read_only}
    changed_rows: list[Row] = []
    entries: list[tuple[str, int, str, dict[str, Any]]] = []
    event_changes: list[tuple[str, dict[str, Any]]] = []
    for record_id, values in zip(ids, cleaned, strict=True):
        row = rows[record_id]
        old = row.data
        new = {k: v for k, v in old.items() if k not in writable} if replace else dict(old)
        for fid, value in values.items():
            if value is None:
                new.pop(fid, None)
            else:
                new[fid] = value
        changes = {fid: {"from": old.get(fid), "to": new.get(fid)} for fid in writable if old.get(fid) != new.get(fid)}
        changes.update(link_changes.get(record_id, {}))
        if not changes:
            continue
        row.data = new
        row.version += 1
        row.updated_at = now
        row.updated_by = actor_id
        changed_rows.append(row)
        entries.append((record_id, row.version, "updated", changes))
        event_changes.append((record_id, {fid: c["to"] for fid, c in changes.items()}))
    return changed_rows, entries, event_changes


def _update_one_if_unchanged(
    session: Session,
    ctx: TableContext,
    principal: Principal,
    row: Row,
    changes: dict[str, Any],
    event_changes: list[tuple[str, dict[str, Any]]],
    now: datetime,
) -> bool:
    """Write one updated row (its version already advanced) with history and event; False, having
    written nothing, when the stored version is no longer the one read."""
    payload = _event_payload([row.id], event_changes)
    event_id = store.update_one_if_unchanged(
        session, row=row, table_id=ctx.table.id, workspace_id=ctx.workspace_id, base_id=ctx.table.base_id,
        actor_id=principal.user_id, changes=changes, payload=payload, now=now,
    )  # fmt: skip
    if event_id is None:
        return False
    events.logged(
        session,
        event_id=event_id,
        type="records.updated",
        workspace_id=ctx.workspace_id,
        base_id=ctx.table.base_id,
        table_id=ctx.table.id,
        actor_id=principal.user_id,
        payload=payload,
    )
    return True


def update_record(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_id: str,
    fields: Any,
    replace: bool = False,
    typecast: bool = False,
    if_match: int | None = None,
    field_key: str = "id",
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": _valid_record_id(record_id), "fields": fields}
    if if_match is not None:
        item["version"] = if_match
    ctx, row = write_context(session, principal=principal, table_id=table_id, role="editor", record_id=record_id)
    if typecast:
        _link_text_to_ids(session, principal, ctx, [item])
    return _update(session, ctx, principal, [item], replace=replace, typecast=typecast, field_key=field_key,
                   unlocked={row.id: row} if row is not None else {})[0]  # fmt: skip


# --- delete / restore -------------------------------------------------------------------------


def delete_records(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_ids: list[Any],
    if_match: int | None = None,
) -> list[str]:
    """Move records to the trash (deleted_at). All or nothing; 404 if any is missing."""
    _check_batch(record_ids, "record IDs")
    ids = [_valid_record_id(rid) for rid in record_ids]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("A record ID appears twice in this request.")
    ctx = table_context(session, principal=principal, table_id=table_id, role="editor")
    rows = store.fetch(session, table_id, ids, lock=True)
    missing = [rid for rid in ids if rid not in rows]
    if missing:
        raise NotFound("Some records do not exist; nothing was deleted.", details={"ids": missing[:100]})
    if if_match is not None and rows[ids[0]].version != if_match:
        raise PreconditionFailed(
            "The record changed since you read it; nothing was deleted.",
            details={"stale": [{"id": ids[0], "expected": if_match, "current": rows[ids[0]].version}]},
        )
    now = utcnow()
    raw = session.connection().connection.driver_connection
    # The rows are locked and live (fetched above), so each one leaves the live count.
    deleted = raw.execute(
        "WITH d AS (UPDATE records SET deleted_at = %s, version = version + 1, updated_by = %s "
        "WHERE table_id = %s AND id = ANY(%s) RETURNING id, version), "
        f"c AS ({_LIVE_COUNT_CHANGE.format(sign='-')}) SELECT id, version FROM d",
        (now, principal.user_id, table_id, ids, table_id),
    ).fetchall()
    history.record_entries(
        session, table_id=table_id, actor_id=principal.user_id, at=now,
        entries=[(rid, version, "deleted", {}) for rid, version in deleted],
    )  # fmt: skip
    emit(
        session,
        type="records.deleted",
        workspace_id=ctx.workspace_id,
        base_id=ctx.table.base_id,
        table_id=table_id,
        actor_id=principal.user_id,
        payload={"record_ids": ids},
    )
    links.notify_linked(
        session, table=ctx.table, workspace_id=ctx.workspace_id, record_ids=ids, actor_id=principal.user_id
    )
    return ids


def restore_records(session: Session, *, principal: Principal, table_id: str, record_ids: list[str]) -> list[str]:
    """Bring trashed records back with their values (for the trash API)."""
    ctx = table_context(session, principal=principal, table_id=table_id, role="editor")
    now = utcnow()
    raw = session.connection().connection.driver_connection
    rows = raw.execute(
        "WITH d AS (UPDATE records SET deleted_at = NULL, version = version + 1, updated_by = %s "
        "WHERE table_id = %s AND id = ANY(%s) AND deleted_at IS NOT NULL RETURNING id, version), "
        f"c AS ({_LIVE_COUNT_CHANGE.format(sign='+')}) SELECT id, version FROM d",
        (principal.user_id, table_id, list(record_ids), table_id),
    ).fetchall()
    restored = [r[0] for r in rows]
    if restored:
        history.record_entries(
            session, table_id=table_id, actor_id=principal.user_id, at=now,
            entries=[(rid, version, "restored", {}) for rid, version in rows],
        )  # fmt: skip
        emit(
            session, type="records.restored", workspace_id=ctx.workspace_id, base_id=ctx.table.base_id,
            table_id=table_id, actor_id=principal.user_id, payload={"record_ids": restored},
        )  # fmt: skip
    return restored


# --- upsert -----------------------------------------------------------------------------------


def upsert_records(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    records: list[Any],
    merge_on: list[Any],
    typecast: bool = False,
    field_key: str = "id",
) -> dict[str, Any]:
    """Update the records whose `merge_on` fields equal the given values; create the others."""
    _check_batch(records)
    ctx = table_context(session, principal=principal, table_id=table_id, role="editor")
    if not isinstance(merge_on, list) or not merge_on or len(merge_on) > 3:
        raise ValidationFailed("merge_on lists 1 to 3 fields.")
    keys = [ctx.fields.resolve(key, where="merge_on") for key in merge_on]
    wctx = WriteContext(typecast=typecast, workspace_members=_workspace_members(session, ctx))
    errors: list[dict[str, Any]] = []
    wanted: list[tuple[Any, ...]] = []
    for index, item in enumerate(records):
        values = item.get("fields") if isinstance(item, dict) else None
        cleaned = _clean_values(values, ctx, wctx, index, errors)
        if not errors and any(cleaned.get(k.id) is None for k in keys):
            errors.append({"index": index, "message": "Every merge_on field needs a value."})
        wanted.append(tuple(json.dumps(cleaned.get(k.id), sort_keys=True) for k in keys))
    _raise_errors(errors)
    _persist_new_options(session, wctx, ctx)  # options typecast added in this first pass
    if len(set(wanted)) != len(wanted):
        raise ValidationFailed("Two records in this request have the same merge_on values.")
    raw = session.connection().connection.driver_connection
    first = keys[0].id
    found: dict[tuple[Any, ...], str] = {}
    for record_id, data in raw.execute(
        f"SELECT id, data FROM records WHERE table_id = %s AND deleted_at IS NULL AND (data -> '{first}') = "
        "ANY(%s::jsonb[])",
        (table_id, sorted({w[0] for w in wanted})),
    ).fetchall():
        key = tuple(json.dumps(data.get(k.id), sort_keys=True) for k in keys)
        if key in found:
            raise ValidationFailed(
                "More than one existing record matches the same merge_on values.",
                details={"ids": [found[key], record_id]},
            )
        found[key] = record_id
    updates = [
        {"id": found[w], "fields": item["fields"]} for w, item in zip(wanted, records, strict=True) if w in found
    ]
    creates = [(i, item["fields"]) for i, (w, item) in enumerate(zip(wanted, records, strict=True)) if w not in found]
    updated = (
        _update(session, ctx, principal, updates, replace=False, typecast=typecast, field_key=field_key)
        if updates
        else []
    )
    created = (
        _insert(session, ctx, principal, [c[1] for c in creates], typecast=typecast, field_key=field_key,
                errors_offset=[c[0] for c in creates])
        if creates
        else []
    )  # fmt: skip
    by_id = {r["id"]: r for r in [*updated, *created]}
    ordered: list[dict[str, Any]] = []
    created_iter = iter(created)
    for w in wanted:
        ordered.append(by_id[found[w]] if w in found else next(created_iter))
    return {
        "records": ordered,
        "created_ids": [r["id"] for r in created],
        "updated_ids": [r["id"] for r in updated],
    }


# --- list -------------------------------------------------------------------------------------


def resolve_view(session: Session, *, table_id: str, ref: str) -> str:
    """The ID of the table's view named by `ref`: its ID, or else its name (the first in view order when
    names repeat). A view of another table is not found, like one that does not exist."""
    from pybase.views.models import View

    query = select(View.id).where(View.table_id == table_id, View.deleted_at.is_(None))
    found = session.scalar(query.where(View.id == ref)) if looks_like_id(ref, "viw") else None
    if found is None:
        found = session.scalar(query.where(View.name == ref).order_by(View.position, View.id).limit(1))
    if found is None:
        raise NotFound("View not found", details={"id": ref})
    return found


def _view_spec(session: Session, *, table_id: str, ref: str) -> tuple[str, Any]:
    """The ID of the view `ref` names (see resolve_view) and its query spec. A ref shaped like an ID
    is tried as one by the spec's own load, a query fewer than resolving it first."""
    from pybase.views.service import get_view_query_spec

    if looks_like_id(ref, "viw"):
        try:
            return ref, get_view_query_spec(session, view_id=ref, table_id=table_id)
        except NotFound:
            pass  # maybe a view named like an ID
    view_id = resolve_view(session, table_id=table_id, ref=ref)
    return view_id, get_view_query_spec(session, view_id=view_id, table_id=table_id)


def list_records(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    filter: Any = None,
    sort: Any = None,
    fields: list[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
    offset: int | None = None,
    count: bool = False,
    view_id: str | None = None,
    field_key: str = "id",
    group_counts: bool = False,
    with_event_id: bool = False,
) -> dict[str, Any]:
    """A page of records. See pybase.records.query for the filter and sort shapes. With `view_id`, the
    view's query spec (pybase.views.service.get_view_query_spec) adds its filters, sorts (unless the
    request sorts) and visible fields; views that group (kanban) also get `groups` for the page, and
    with `group_counts` every group of the first grouping level over the whole view (see
    `_group_counts`). With `with_event_id`, `event_id` is the table's newest change event, read
    before the rows (in the access statement): a change committed after it is replayed to a client
    subscribing with it as last_event_id, one committed before is already in the rows."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size is from 1 to {MAX_PAGE_SIZE}.", details={"page_size": page_size})
    # offset serves far jumps (a grid's scrollbar dragged to row 60,000): OFFSET costs a scan of the
    # skipped rows (~25 ms per 50,000), fine once per jump; scrolling on uses the returned next_cursor.
    if offset is not None and (
        isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET
    ):
        raise ValidationFailed(f"offset is from 0 to {MAX_OFFSET}.", details={"offset": offset})
    if offset and cursor:
        raise ValidationFailed("Send either cursor or offset, not both.", details={"offset": offset})
    ctx, _ = read_context(session, principal=principal, table_id=table_id, queries=False, latest_event=with_event_id)
    spec = None
    if view_id:
        view_id, spec = _view_spec(session, table_id=table_id, ref=view_id)
    if _compiles_computed(ctx.fields, spec, filter, sort):
        ctx.fields = FieldSet(live_fields(session, table_id=table_id))  # see read_context
    params = Params()
    conditions: list[Condition] = []
    usable = queryable_fields(session, ctx)
    where, residual = compile_where(usable, spec, filter, params, conditions)
    view_sorts = [s for s in (spec.sorts if spec is not None else []) if is_live(s, usable)]
    sorts = parse_sort_param(sort) or view_sorts
    keys = compile_sorts(sorts, usable)
    listing = store.Listing(table_id, where, params, keys, conditions, residual)
    cursor_values = decode_cursor(cursor, keys) if cursor else None
    fetched = store.page(session, listing, after=cursor_values, limit=page_size + 1, offset=offset or 0)
    shown = _shown_fields(ctx.fields, fields, spec)
    rows = fetched[:page_size]
    records = serialize_rows(
        session, store.rows_of(rows), shown, ctx.fields.fields, field_key=field_key, principal=principal, ctx=ctx
    )
    result: dict[str, Any] = {"records": records, "next_cursor": None}
    if with_event_id:
        result["event_id"] = ctx.latest_event_id
    if len(fetched) > page_size:
        result["next_cursor"] = store.next_cursor(listing, rows[-1])
    if count:
        result["total"] = store.count(session, listing)
    if group_counts and spec is not None and spec.group_by and keys[0].field_id == spec.group_by[0]["field_id"]:
        raw = session.connection().connection.driver_connection
        result["group_counts"] = _group_counts(
            session, raw, ctx, principal, listing=listing, key=keys[0], field_key=field_key
        )
    if spec is not None and spec.group_by and field_key == "id":
        from pybase.views.service import group_records

        result["groups"] = [
            {"field_id": g["field_id"], "value": g["value"], "record_ids": [r["id"] for r in g["records"]]}
            for g in group_records(spec, records)
        ]
    sort_fields = [ctx.fields.by_id[k.field_id] for k in keys if k.field_id is not None]
    indexes.ensure_indexes(session, table_id=table_id, wanted=indexes.wanted_indexes(conditions, sort_fields))
    return result


def count_records(
    session: Session, *, principal: Principal, table_id: str, filter: Any = None, view_id: str | None = None
) -> int:
    """How many live records the listing with the same `filter` and view holds, without reading any:
    the access decision and the fields come in one round trip as plain copies (read_context), then
    the count; a filter with no SQL form is counted in a scan (pybase.records.store.count)."""
    ctx, _ = read_context(session, principal=principal, table_id=table_id, queries=bool(filter or view_id))
    spec = None
    if view_id:
        view_id, spec = _view_spec(session, table_id=table_id, ref=view_id)
    params = Params()
    conditions: list[Condition] = []
    usable = queryable_fields(session, ctx)
    where, residual = compile_where(usable, spec, filter, params, conditions)
    listing = store.Listing(table_id, where, params, [], conditions, residual)
    total = store.count(session, listing)
    indexes.ensure_indexes(session, table_id=table_id, wanted=indexes.wanted_indexes(conditions, []))
    return total


def _compiles_computed(fields: FieldSet, spec: Any, filter: Any, sort: Any) -> bool:
    """Whether the listing's filters or sorts reach a computed field, whose SQL is compiled from ORM
    fields (see read_context): a formula node may read any field, and a sort that does not parse is
    left to the compiler's own error."""
    computed = {f.id for f in fields.fields if f.type in links_computed.COMPUTED_TYPES}
    if not computed:
        return False

    def named(ref: Any) -> bool:
        found = fields.by_id.get(ref) or fields.by_name.get(ref) if isinstance(ref, str) else None
        return found is not None and found.id in computed

    def reaches(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        if "formula" in node:
            return True
        children = [node[j] for j in ("and", "or") if isinstance(node.get(j), list)]
        if children or "not" in node:
            return any(reaches(c) for c in (children[0] if children else [node["not"]]))
        return named(node.get("field", node.get("field_id")))

    trees = [filter] + ([spec.filter_tree()] if spec is not None else [])
    try:
        sorts = parse_sort_param(sort) or (spec.sorts if spec is not None else [])
    except Exception:
        return True
    sorted_by = [s.get("field", s.get("field_id")) for s in sorts if isinstance(s, dict)]
    return any(reaches(t) for t in trees) or any(named(ref) for ref in sorted_by)


def compile_where(
    usable: FieldSet, spec: Any, filter: Any, params: Params, conditions: list[Condition]
) -> tuple[str, store.Residual | None]:
    """The SQL condition of a listing's view filter and request filter, and the residual to check
    in a scan when part of them has no SQL form (the SQL condition then only narrows the rows)."""
    deferred = Deferred()
    fulls: list[str] = []
    candidates: list[str] = []
    view_filter = spec.filter_tree() if spec is not None else None
    for tree in ([live_only(view_filter, usable)] if view_filter else []) + ([filter] if filter else []):
        full, candidate = compile_split(tree, usable, params, conditions, deferred)
        fulls.append(full)
        candidates.append(candidate)
    if not fulls:
        return "TRUE", None
    if not deferred.leaves:
        return " AND ".join(fulls), None
    return " AND ".join(candidates), store.Residual(" AND ".join(fulls), deferred, usable.fields)


MAX_GROUP_COUNTS = 1000


def _group_counts(
    session: Session, raw: Any, ctx: TableContext, principal: Principal, *, listing: store.Listing, key: Any,
    field_key: str,
) -> dict[str, Any]:
    """The groups of the view's first grouping key in listing order: [{"value", "count"}], up to
    MAX_GROUP_COUNTS (then `truncated`). A group is the rows sharing the key's sort value, which is
    what keeps them together in the listing, so a client can place a header before each group's
    rows by position alone. The value shown is the first such row's (as the API serializes it)."""
    table_id = listing.table_id
    if listing.residual is not None:
        found = _scanned_groups(session, listing)
    else:
        sql = (
            f"SELECT min(r.seq), count(*) FROM records r WHERE r.table_id = '{table_id}' AND r.deleted_at IS NULL "
            f"AND {listing.where} GROUP BY {key.expr} ORDER BY {key.expr} {key.direction.upper()} "
            f"LIMIT {MAX_GROUP_COUNTS + 1}"
        )
        found = raw.execute(sql, listing.params.values).fetchall()
    truncated = len(found) > MAX_GROUP_COUNTS
    found = found[:MAX_GROUP_COUNTS]
    field = ctx.fields.by_id.get(key.field_id)
    if field is None:  # a computed key the caller's field set does not hold: counts without values
        groups = [{"value": None, "count": n} for _, n in found]
        return {"field_id": key.field_id, "groups": groups, "truncated": truncated}
    first_rows = raw.execute(
        f"SELECT {ROW_COLUMNS} FROM records r WHERE r.table_id = %(t)s AND r.seq = ANY(%(seqs)s)",
        {"t": table_id, "seqs": [seq for seq, _ in found]},
    ).fetchall()
    serialized = serialize_rows(
        session, [Row(*r) for r in first_rows], [field], ctx.fields.fields, field_key=field_key, principal=principal,
        ctx=ctx,
    )  # fmt: skip
    name = field.id if field_key == "id" else field.name
    value_of = {row[1]: rec["fields"].get(name) for row, rec in zip(first_rows, serialized, strict=True)}
    return {
        "field_id": field.id,
        "groups": [{"value": value_of.get(seq), "count": n} for seq, n in found],
        "truncated": truncated,
    }


def _scanned_groups(session: Session, listing: store.Listing) -> list[tuple[int, int]]:
    """(first seq, count) of each group when the filter is checked in a scan: the scan reads rows in
    listing order, so a group's rows come together (the first key's value, after the row's columns)."""
    groups: list[list[Any]] = []  # [key value, min seq, count]
    for raw_row in store.scan_listing(session, listing):
        value, seq = raw_row[store.ROW_WIDTH], raw_row[1]
        if groups and groups[-1][0] == value:
            groups[-1][1] = min(groups[-1][1], seq)
            groups[-1][2] += 1
        elif len(groups) > MAX_GROUP_COUNTS:
            break
        else:
            groups.append([value, seq, 1])
    return [(seq, n) for _, seq, n in groups]


def is_live(sort: Any, fields: FieldSet) -> bool:
    return isinstance(sort, dict) and (sort.get("field") in fields.by_id or sort.get("field") in fields.by_name)


def live_only(node: Any, fields: FieldSet) -> Any:
    """A saved view filter minus conditions on fields deleted since it was saved."""
    if isinstance(node, dict):
        for joiner in ("and", "or"):
            if isinstance(node.get(joiner), list):
                return {joiner: [live_only(child, fields) for child in node[joiner] if _keeps(child, fields)]}
    return node


def _keeps(node: Any, fields: FieldSet) -> bool:
    if isinstance(node, dict) and ("field" in node or "field_id" in node):
        ref = node.get("field", node.get("field_id"))
        return ref in fields.by_id or ref in fields.by_name
    return True


def _shown_fields(fields: FieldSet, requested: list[str] | None, spec: Any) -> list[Field]:
    if requested:
        return [fields.resolve(key) for key in requested]
    if spec is None:
        return list(fields.fields)
    return [fields.by_id[fid] for fid in spec.visible_field_ids if fid in fields.by_id]


def record_history(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_id: str,
    limit: int = 100,
    before: int | None = None,
) -> dict[str, Any]:
    ctx, _ = read_context(session, principal=principal, table_id=table_id, queries=False)
    raw = session.connection().connection.driver_connection
    row = raw.execute(
        "SELECT created_at, created_by, deleted_at FROM records WHERE table_id = %s AND id = %s", (table_id, record_id)
    ).fetchone() if looks_like_id(record_id, "rec") else None  # fmt: skip
    if row is None:
        raise NotFound("Record not found", details={"id": record_id})
    entries = history.list_entries(session, table_id=table_id, record_id=record_id, limit=limit, before=before)
    out = []
    for entry in entries:
        changes = {}
        for fid, change in (entry.changes or {}).items():
            field = ctx.fields.by_id.get(fid)
            if field is None:
                continue  # a deleted field's history is hidden with the field
            ftype = get_field_type(field.type)
            changes[fid] = {
                "field_name": field.name,
                "from": None if change["from"] is None else _safe_serialize(ftype, change["from"], field),
                "to": None if change["to"] is None else _safe_serialize(ftype, change["to"], field),
            }
        out.append(
            {
                "id": entry.version,
                "action": entry.action,
                "actor_id": entry.actor_id,
                "at": entry.created_at.isoformat().replace("+00:00", "Z"),
                "changes": changes,
            }
        )
    return {
        "record_id": record_id,
        "created_at": row[0].isoformat().replace("+00:00", "Z"),
        "created_by": row[1],
        "entries": out,
        "next_before": out[-1]["id"] if len(out) == limit else None,
    }


def _safe_serialize(ftype: Any, stored: Any, field: Field) -> Any:
    try:
        return ftype.serialize(stored, field)
    except Exception:  # an old value stored under a previous type of the field
        return stored
