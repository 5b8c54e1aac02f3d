"""One class per kind of thing that goes to the trash: tables, fields, views and records.

Deleting only sets `deleted_at`; the row and (for fields) the values in records' JSONB stay, so a
restore within the retention period brings everything back as it was. Each kind says how to find a
trashed item, which role restoring it needs, how to restore it and how to list it for a base.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.errors import NotFound
from pybase.fields.models import Field
from pybase.records.models import Record
from pybase.tables.models import Table
from pybase.views.models import View
from pybase.views.service import restore_view


@dataclass
class TrashItem:
    kind: str
    id: str
    table_id: str
    table_name: str
    name: str | None
    deleted_at: datetime


# Extra work other domains need on restore (e.g. links re-adding back-references): kind -> callbacks.
RestoreHook = Callable[[Session, Any, Principal], None]
_restore_hooks: dict[str, list[RestoreHook]] = {}


def on_restore(kind: str, hook: RestoreHook) -> None:
    """Run `hook(session, restored_object, principal)` after an item of `kind` is restored."""
    hooks = _restore_hooks.setdefault(kind, [])
    if hook not in hooks:
        hooks.append(hook)


def run_restore_hooks(kind: str, session: Session, obj: Any, principal: Principal) -> None:
    for hook in _restore_hooks.get(kind, []):
        hook(session, obj, principal)


def _page(query: Select[Any], model: Any, *, cutoff: datetime, after: tuple[datetime, str] | None, limit: int) -> Any:
    query = query.where(model.deleted_at.is_not(None), model.deleted_at >= cutoff)
    if after is not None:
        at, last_id = after
        query = query.where(or_(model.deleted_at < at, and_(model.deleted_at == at, model.id < last_id)))
    return query.order_by(model.deleted_at.desc(), model.id.desc()).limit(limit)


def _free_table_name(session: Session, *, base_id: str, name: str, exclude_id: str) -> str:
    taken = {
        n.lower()
        for n in session.scalars(
            select(Table.name).where(Table.base_id == base_id, Table.deleted_at.is_(None), Table.id != exclude_id)
        )
    }
    return _suffixed(name, taken)


def _suffixed(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{name} ({n})"[:200]
        n += 1
    return candidate


class TrashKind:
    name: ClassVar[str]
    restore_role: ClassVar[str] = "editor"
    # The change event a restore emits (None: the owning service emits its own).
    event: ClassVar[str | None]

    def find(self, session: Session, object_id: str, *, table_id: str | None = None) -> Any | None:
        """The object, locked; `table_id` (when the caller knows it) narrows the search to that table."""
        raise NotImplementedError

    def table_id_of(self, obj: Any) -> str:
        return obj.table_id

    def needs_live_table(self) -> bool:
        return True

    def restore(self, session: Session, obj: Any, *, principal: Principal) -> dict[str, Any]:
        raise NotImplementedError

    def list_for_base(
        self,
        session: Session,
        *,
        table_names: dict[str, str],
        live_table_ids: list[str],
        cutoff: datetime,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[TrashItem]:
        raise NotImplementedError


class TableTrash(TrashKind):
    name = "table"
    restore_role = "admin"
    event = "table.restored"

    def find(self, session: Session, object_id: str, *, table_id: str | None = None) -> Table | None:
        return session.scalar(select(Table).where(Table.id == object_id).with_for_update())

    def table_id_of(self, obj: Table) -> str:
        return obj.id

    def needs_live_table(self) -> bool:
        return False

    def restore(self, session: Session, obj: Table, *, principal: Principal) -> dict[str, Any]:
        obj.name = _free_table_name(session, base_id=obj.base_id, name=obj.name, exclude_id=obj.id)
        obj.deleted_at = None
        session.flush()
        return {"table_id": obj.id, "name": obj.name}

    def list_for_base(self, session, *, table_names, live_table_ids, cutoff, after, limit):  # type: ignore[no-untyped-def]
        ids = [t for t in table_names if t not in set(live_table_ids)]
        if not ids:
            return []
        rows = session.scalars(
            _page(select(Table).where(Table.id.in_(ids)), Table, cutoff=cutoff, after=after, limit=limit)
        )
        return [TrashItem("table", t.id, t.id, t.name, t.name, t.deleted_at) for t in rows]


class FieldTrash(TrashKind):
    name = "field"
    restore_role = "admin"
    event = "field.restored"

    def find(self, session: Session, object_id: str, *, table_id: str | None = None) -> Field | None:
        return session.scalar(select(Field).where(Field.id == object_id).with_for_update())

    def restore(self, session: Session, obj: Field, *, principal: Principal) -> dict[str, Any]:
        # The values never left records' JSONB, so clearing deleted_at brings them back.
        from pybase.fields.service import restore_field

        restore_field(session, field=obj)
        return {"field_id": obj.id, "name": obj.name, "type": obj.type}

    def list_for_base(self, session, *, table_names, live_table_ids, cutoff, after, limit):  # type: ignore[no-untyped-def]
        if not live_table_ids:
            return []
        query = select(Field).where(Field.table_id.in_(live_table_ids))
        rows = session.scalars(_page(query, Field, cutoff=cutoff, after=after, limit=limit))
        return [TrashItem("field", f.id, f.table_id, table_names[f.table_id], f.name, f.deleted_at) for f in rows]


class ViewTrash(TrashKind):
    name = "view"
    restore_role = "editor"
    event = "view.restored"

    def find(self, session: Session, object_id: str, *, table_id: str | None = None) -> View | None:
        return session.scalar(select(View).where(View.id == object_id).with_for_update())

    def restore(self, session: Session, obj: View, *, principal: Principal) -> dict[str, Any]:
        restore_view(session, view=obj)
        return {"view_id": obj.id, "name": obj.name, "type": obj.type}

    def list_for_base(self, session, *, table_names, live_table_ids, cutoff, after, limit):  # type: ignore[no-untyped-def]
        if not live_table_ids:
            return []
        query = select(View).where(View.table_id.in_(live_table_ids))
        rows = session.scalars(_page(query, View, cutoff=cutoff, after=after, limit=limit))
        return [TrashItem("view", v.id, v.table_id, table_names[v.table_id], v.name, v.deleted_at) for v in rows]


# Tables looked at per statement (each in its own transaction) when a trashed record is asked for by
# its ID alone, and table IDs read at a time.
_TABLES_PER_LOOKUP = 100
_TABLE_IDS_PER_READ = 1000


def _trashed_record_table(record_id: str) -> str | None:
    """The table of a trashed record known by its ID alone. One statement over every partition would
    lock them all in one transaction: with thousands of tables that fills the server's shared lock
    table and makes other sessions' statements fail. So the tables are searched a group at a time,
    each statement naming its tables in a short transaction of its own (its locks released at its
    commit): slower than with the table ID the trash listing gives, but bounded."""
    from pybase.db import session_scope

    after = ""
    while True:
        with session_scope() as side:
            table_ids = list(
                side.scalars(select(Table.id).where(Table.id > after).order_by(Table.id).limit(_TABLE_IDS_PER_READ))
            )
        if not table_ids:
            return None
        for start in range(0, len(table_ids), _TABLES_PER_LOOKUP):
            with session_scope() as side:
                found = side.scalar(
                    select(Record.table_id).where(
                        Record.table_id.in_(table_ids[start : start + _TABLES_PER_LOOKUP]),
                        Record.id == record_id,
                        Record.deleted_at.is_not(None),
                    )
                )
            if found is not None:
                return found
        after = table_ids[-1]


class RecordTrash(TrashKind):
    name = "record"
    restore_role = "editor"
    event = None  # emitted by the records service

    def find(self, session: Session, object_id: str, *, table_id: str | None = None) -> Record | None:
        query = select(Record).where(Record.id == object_id, Record.deleted_at.is_not(None)).with_for_update()
        if table_id is None:
            table_id = _trashed_record_table(object_id)
            if table_id is None:
                return None
        # Only that table's partition of `records` is planned, opened and locked.
        return session.scalar(query.where(Record.table_id == table_id))

    def restore(self, session: Session, obj: Record, *, principal: Principal) -> dict[str, Any]:
        # The records service bumps the version, writes history and emits "records.restored".
        from pybase.records.service import restore_records

        restored = restore_records(session, principal=principal, table_id=obj.table_id, record_ids=[obj.id])
        return {"record_ids": restored}

    def list_for_base(self, session, *, table_names, live_table_ids, cutoff, after, limit):  # type: ignore[no-untyped-def]
        if not live_table_ids:
            return []
        primary = dict(
            session.execute(select(Table.id, Table.primary_field_id).where(Table.id.in_(live_table_ids))).all()
        )
        query = select(Record.id, Record.table_id, Record.data, Record.deleted_at).where(
            Record.table_id.in_(live_table_ids)
        )
        rows = session.execute(_page(query, Record, cutoff=cutoff, after=after, limit=limit)).all()
        items = []
        for rid, tid, data, deleted_at in rows:
            label = (data or {}).get(primary.get(tid) or "")
            name = label if isinstance(label, str) else (None if label is None else str(label))
            items.append(TrashItem("record", rid, tid, table_names[tid], name, deleted_at))
        return items


KINDS: dict[str, TrashKind] = {k.name: k for k in (TableTrash(), FieldTrash(), ViewTrash(), RecordTrash())}
PLURALS = {f"{name}s": name for name in KINDS}


def kind_named(name: str) -> TrashKind:
    key = PLURALS.get(name, name)
    found = KINDS.get(key)
    if found is None:
        raise NotFound(f"Unknown trash kind {name!r}.", details={"kinds": sorted(KINDS)})
    return found
