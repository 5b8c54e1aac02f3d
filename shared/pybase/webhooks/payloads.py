"""Webhook payloads in Airtable's shape, built from change-log events.

One registry entry per event type says which Airtable data type and change type the event is
(`tableData`/`tableFields`/`tableMetadata`, `add`/`remove`/`update`) and how to describe it; a
webhook's filters are applied to that before anything is built. Values are Airtable's cell values
(the /v0 API's), keyed by field ID. Previous cell values come from the record history written in
the same transaction as the change; created records carry the values the event recorded (or, for
batches too large for the event, the stored values when the feeder reads them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pybase.airtable.schemas import airtable_type
from pybase.airtable.service import airtable_value, created_time
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type

Event = dict[str, Any]
Spec = dict[str, Any]


@dataclass
class Context:
    """What building the payloads of one feeder pass reads, loaded once per table/record set."""

    session: Session
    fields: dict[str, dict[str, Field]] = field(default_factory=dict)
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    view_tables: dict[str, str | None] = field(default_factory=dict)
    rows: dict[int, dict[str, tuple[dict[str, Any], datetime]]] = field(default_factory=dict)
    history: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def table_fields(self, table_id: str) -> dict[str, Field]:
        if table_id not in self.fields:
            found = self.session.scalars(select(Field).where(Field.table_id == table_id)).all()
            self.fields[table_id] = {f.id: f for f in found}
        return self.fields[table_id]

    def user(self, user_id: str) -> dict[str, str]:
        if user_id not in self.users:
            row = self.session.execute(
                text("SELECT id, email, name FROM users WHERE id = :id"), {"id": user_id}
            ).first()
            self.users[user_id] = {"id": row[0], "email": row[1], "name": row[2]} if row else {"id": user_id}
        return self.users[user_id]

    def view_table(self, view_id: str) -> str | None:
        if view_id not in self.view_tables:
            self.view_tables[view_id] = self.session.scalar(
                text("SELECT table_id FROM views WHERE id = :id"), {"id": view_id}
            )
        return self.view_tables[view_id]

    def stored_rows(self, event: Event) -> dict[str, tuple[dict[str, Any], datetime]]:
        """The event's records as stored now: {record_id: (data, created_at)}."""
        if event["id"] not in self.rows:
            found = self.session.execute(
                text("SELECT id, data, created_at FROM records WHERE table_id = :t AND id = ANY(:ids)"),
                {"t": event["table_id"], "ids": _record_ids(event)},
            ).all()
            self.rows[event["id"]] = {r[0]: (r[1] or {}, r[2]) for r in found}
        return self.rows[event["id"]]

    def history_of(self, event: Event) -> dict[str, dict[str, Any]]:
        """{record_id: {field_id: {"from", "to"}}} of the update the event reports.

        The history row is written in the event's transaction, under the record's row lock, just before
        the event: for each record the newest 'updated' entry at or before the event is that change."""
        if event["id"] not in self.history:
            found = self.session.execute(
                text(
                    "SELECT DISTINCT ON (record_id) record_id, changes FROM record_history"
                    " WHERE table_id = :t AND record_id = ANY(:ids) AND action = 'updated'"
                    " AND created_at <= :at AND created_at > :since ORDER BY record_id, version DESC"
                ),
                {
                    "t": event["table_id"],
                    "ids": _record_ids(event),
                    "at": event["created_at"],
                    "since": event["created_at"] - timedelta(minutes=10),
                },
            ).all()
            self.history[event["id"]] = {r[0]: r[1] or {} for r in found}
        return self.history[event["id"]]


def _record_ids(event: Event) -> list[str]:
    return [str(i) for i in (event["payload"] or {}).get("record_ids") or []]


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


def cell(f: Field | None, stored: Any) -> Any:
    """A stored value as Airtable's cell value (None for a value of a field that no longer exists)."""
    if f is None or stored is None:
        return None
    try:
        value = get_field_type(f.type).serialize(stored, f)
    except Exception:  # a value the type no longer reads (changed type): shown as stored
        value = stored
    return airtable_value(f, value)


def _cells(ctx: Context, table_id: str, values: dict[str, Any], *, keep_empty: bool = False) -> dict[str, Any]:
    known = ctx.table_fields(table_id)
    out: dict[str, Any] = {}
    for fid, stored in values.items():
        f = known.get(fid)
        if f is None or f.deleted_at is not None:
            continue
        value = cell(f, stored)
        if keep_empty or not _empty(value):
            out[fid] = None if _empty(value) else value
    return out


def _included_fields(ctx: Context, table_id: str, spec: Spec) -> list[str]:
    wanted = ((spec.get("options") or {}).get("includes") or {}).get("includeCellValuesInFieldIds")
    if wanted == "all":
        return list(ctx.table_fields(table_id))
    return list(wanted or [])


# --- one builder per event type -------------------------------------------------------------------


def _records_created(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    table_id = event["table_id"]
    recorded = {r["id"]: r["fields"] for r in (event["payload"] or {}).get("records") or []}
    stored = ctx.stored_rows(event)
    created: dict[str, Any] = {}
    for rid in _record_ids(event):
        data, at = stored.get(rid, ({}, event["created_at"]))
        values = recorded.get(rid, data)
        created[rid] = {"createdTime": created_time(at), "cellValuesByFieldId": _cells(ctx, table_id, values)}
    return {"changedTablesById": {table_id: {"createdRecordsById": created}}} if created else None


def _records_updated(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    payload = event["payload"] or {}
    if payload.get("reason") == "links":
        # The other end of a link changed: no history of its own; its own table's event describes it.
        return None
    table_id = event["table_id"]
    filters = spec["options"]["filters"]
    watched = set(filters.get("watchDataInFieldIds") or [])
    includes = (spec["options"].get("includes") or {})
    history = ctx.history_of(event)
    recorded = {r["id"]: r["fields"] for r in payload.get("records") or []}
    extra = _included_fields(ctx, table_id, spec)
    changed: dict[str, Any] = {}
    for rid in _record_ids(event):
        if rid in history:
            current = {fid: c.get("to") for fid, c in history[rid].items()}
            previous = {fid: c.get("from") for fid, c in history[rid].items()}
        elif rid in recorded:
            current, previous = recorded[rid], {}
        else:
            continue
        if watched and not watched & set(current):
            continue
        entry: dict[str, Any] = {"current": {"cellValuesByFieldId": _cells(ctx, table_id, current, keep_empty=True)}}
        if includes.get("includePreviousCellValues"):
            entry["previous"] = {"cellValuesByFieldId": _cells(ctx, table_id, previous, keep_empty=True)}
        others = [fid for fid in extra if fid not in current]
        if others:
            data = ctx.stored_rows(event).get(rid, ({}, None))[0]
            entry["unchanged"] = {"cellValuesByFieldId": _cells(ctx, table_id, {f: data.get(f) for f in others})}
        changed[rid] = entry
    return {"changedTablesById": {table_id: {"changedRecordsById": changed}}} if changed else None


def _records_deleted(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    ids = _record_ids(event)
    return {"changedTablesById": {event["table_id"]: {"destroyedRecordIds": ids}}} if ids else None


def _field_info(f: Field | None) -> dict[str, Any]:
    return {"name": f.name, "type": airtable_type(f)} if f is not None else {}


def _field_of(ctx: Context, event: Event) -> tuple[str | None, Field | None]:
    payload = event["payload"] or {}
    fid = payload.get("field_id") or (payload.get("field") or {}).get("id")
    if not fid:
        return None, None
    ctx.fields.pop(event["table_id"], None)  # a schema change: read the fields again
    return fid, ctx.table_fields(event["table_id"]).get(fid)


def _watched_schema(spec: Spec, field_id: str) -> bool:
    watched = spec["options"]["filters"].get("watchSchemasOfFieldIds")
    return not watched or field_id in watched


def _field_created(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    fid, f = _field_of(ctx, event)
    if fid is None or not _watched_schema(spec, fid):
        return None
    return {"changedTablesById": {event["table_id"]: {"createdFieldsById": {fid: _field_info(f)}}}}


def _field_updated(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    fid, f = _field_of(ctx, event)
    if fid is None or not _watched_schema(spec, fid):
        return None
    changed = set((event["payload"] or {}).get("changed") or [])
    if not changed & {"name", "type", "options"}:
        return None
    return {"changedTablesById": {event["table_id"]: {"changedFieldsById": {fid: {"current": _field_info(f)}}}}}


def _field_deleted(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    fid, _ = _field_of(ctx, event)
    if fid is None or not _watched_schema(spec, fid):
        return None
    return {"changedTablesById": {event["table_id"]: {"destroyedFieldIds": [fid]}}}


def _table_row(ctx: Context, table_id: str) -> tuple[str, str | None] | None:
    row = ctx.session.execute(text("SELECT name, description FROM tables WHERE id = :id"), {"id": table_id}).first()
    return (row[0], row[1]) if row else None


def _table_created(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    table_id = event["table_id"]
    row = _table_row(ctx, table_id)
    if row is None:
        return None
    ctx.fields.pop(table_id, None)
    fields = {fid: _field_info(f) for fid, f in ctx.table_fields(table_id).items() if f.deleted_at is None}
    metadata = {"name": row[0], "description": row[1]}
    return {"createdTablesById": {table_id: {"metadata": metadata, "fieldsById": fields, "recordsById": {}}}}


def _table_updated(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    payload = event["payload"] or {}
    if not {"name", "description"} & set(payload.get("fields") or []):
        return None
    row = _table_row(ctx, event["table_id"])
    if row is None:
        return None
    current = {"name": row[0], "description": row[1]}
    return {"changedTablesById": {event["table_id"]: {"changedMetadata": {"current": current, "previous": {}}}}}


def _table_deleted(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    return {"destroyedTableIds": [event["table_id"]]}


@dataclass(frozen=True)
class Kind:
    data_type: str
    change_type: str
    build: Callable[[Context, Event, Spec], dict[str, Any] | None]


KINDS: dict[str, Kind] = {
    "records.created": Kind("tableData", "add", _records_created),
    "records.restored": Kind("tableData", "add", _records_created),
    "records.updated": Kind("tableData", "update", _records_updated),
    "records.deleted": Kind("tableData", "remove", _records_deleted),
    "field.created": Kind("tableFields", "add", _field_created),
    "field.restored": Kind("tableFields", "add", _field_created),
    "field.updated": Kind("tableFields", "update", _field_updated),
    "field.deleted": Kind("tableFields", "remove", _field_deleted),
    "table.created": Kind("tableMetadata", "add", _table_created),
    "table.restored": Kind("tableMetadata", "add", _table_created),
    "table.updated": Kind("tableMetadata", "update", _table_updated),
    "table.deleted": Kind("tableMetadata", "remove", _table_deleted),
}


def source_of(event: Event) -> str:
    # PyBase does not record which client made a change: a signed-in user's change is "client",
    # one without a user (a public form, a scheduled job) "system".
    return "client" if event.get("actor_id") else "system"


def build(ctx: Context, event: Event, spec: Spec) -> dict[str, Any] | None:
    """The payload this event makes for a webhook with `spec`, or None when its filters leave it out."""
    kind = KINDS.get(event["type"])
    if kind is None or not event.get("table_id"):
        return None
    filters = spec["options"]["filters"]
    if kind.data_type not in filters["dataTypes"]:
        return None
    if filters.get("changeTypes") and kind.change_type not in filters["changeTypes"]:
        return None
    source = source_of(event)
    if filters.get("fromSources") and source not in filters["fromSources"]:
        return None
    scope = filters.get("recordChangeScope")
    if scope:
        scope_table = ctx.view_table(scope) if scope.startswith("viw") else scope
        if scope_table != event["table_id"]:
            return None
    body = kind.build(ctx, event, spec)
    if body is None:
        return None
    metadata: dict[str, Any] = {"source": source, "sourceMetadata": {}}
    if event.get("actor_id"):
        metadata["sourceMetadata"] = {"user": ctx.user(event["actor_id"])}
    return {
        "timestamp": created_time(event["created_at"]),
        "baseTransactionNumber": event["id"],
        "actionMetadata": metadata,
        "payloadFormat": "v0",
        **body,
    }
