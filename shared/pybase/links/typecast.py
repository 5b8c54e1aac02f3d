"""typecast on link fields, as Airtable does it: a link cell given text instead of record IDs links
the records of the linked table whose primary field has that text, and creates one (with that
primary value) for each text no record has. Runs before the write, in its transaction, so a write
that fails later creates nothing. Used by the native records API and the Airtable-compatible one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.fields.models import Field
from pybase.ids import looks_like_id
from pybase.records import service as records
from pybase.records.models import Record
from pybase.tables.models import Table


def _names(value: Any) -> list[Any] | None:
    """The cell's items when some are text rather than record IDs (None: nothing to resolve)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, str) and value.strip() else None
    if not items:
        return None
    if all(isinstance(i, dict) or (isinstance(i, str) and looks_like_id(i, "rec")) for i in items):
        return None
    return items


def link_text_to_ids(session: Session, *, principal: Principal, ctx: records.TableContext,
                     items: list[dict[str, Any]]) -> None:  # fmt: skip
    """Replace primary-field text in the link cells of `items` (in place) by record IDs."""
    links = {f.id: f for f in ctx.fields.fields if f.type == "link"}
    links.update({f.name: f for f in ctx.fields.fields if f.type == "link"})
    wanted: dict[str, set[str]] = {}  # linked table ID -> texts to find
    for item in items:
        for key, value in (item.get("fields") or {}).items():
            field = links.get(key)
            cell = _names(value) if field is not None else None
            if field is None or cell is None:
                continue
            linked = (field.options or {}).get("linked_table_id") or ""
            wanted.setdefault(linked, set()).update(str(i).strip() for i in cell if isinstance(i, str | int | float))
    found: dict[tuple[str, str], str] = {}
    for table_id, texts in wanted.items():
        primary = session.scalar(select(Table.primary_field_id).where(Table.id == table_id))
        primary_field = session.get(Field, primary) if primary else None
        texts = {t for t in texts if not looks_like_id(t, "rec")}
        if primary_field is None or not texts:
            continue
        rows = session.execute(
            select(Record.id, Record.data[primary].astext)
            .where(Record.table_id == table_id, Record.deleted_at.is_(None), Record.data[primary].astext.in_(texts))
            .order_by(Record.seq)
        ).all()  # fmt: skip
        for record_id, text in rows:
            found.setdefault((table_id, text), record_id)
        missing = sorted(t for t in texts if (table_id, t) not in found)
        if missing:
            # A computed primary field (a formula) cannot be written: those texts stay unresolved
            # and the write reports them as bad values.
            from pybase.fields.registry import get_field_type

            if get_field_type(primary_field.type).read_only:
                continue
            created = records.create_records(
                session, principal=principal, table_id=table_id,
                records=[{"fields": {primary: text}} for text in missing], typecast=True,
            )  # fmt: skip
            for text, rec in zip(missing, created, strict=True):
                found[(table_id, text)] = rec["id"]
    for item in items:
        fields = dict(item.get("fields") or {})
        for key, value in fields.items():
            field = links.get(key)
            cell = _names(value) if field is not None else None
            if field is None or cell is None:
                continue
            linked = (field.options or {}).get("linked_table_id") or ""
            fields[key] = [
                found.get((linked, str(i).strip()), i) if isinstance(i, str | int | float) else i for i in cell
            ]
        item["fields"] = fields
