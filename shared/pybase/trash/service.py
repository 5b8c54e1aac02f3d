"""Trash of a base: list what was deleted in the last 30 days and restore it.

Listing needs editor on the tables concerned (items of tables where the caller is below editor are
left out); restoring a record or view needs editor, a field or table admin (the roles that may
delete them). Restoring a field or view whose table is itself in the trash is refused until the table
is restored; a table's own fields, views and records come back with it.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pybase import jsontext
from pybase.access.roles import RANK, Principal, at_least
from pybase.access.service import base_role, base_tables, require_table
from pybase.db import utcnow
from pybase.errors import BadRequest, Conflict, Forbidden, NotFound
from pybase.events.service import emit
from pybase.ids import looks_like_id
from pybase.tables.models import Table
from pybase.trash.kinds import KINDS, TrashItem, kind_named, run_restore_hooks

RETENTION = timedelta(days=30)
LIST_ROLE = "editor"
MAX_PAGE = 200
ID_PREFIX = {"table": "tbl", "field": "fld", "view": "viw", "record": "rec"}


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - RETENTION


def _table_roles(
    session: Session, *, principal: Principal, base_id: str
) -> tuple[str, dict[str, str | None], list[Table]]:
    """The base's workspace ID, the caller's effective role per table of the base, and the tables."""
    base, seen_role = base_role(session, principal=principal, base_id=base_id)
    if seen_role is None:
        raise NotFound("Base not found", details={"id": base_id})
    tables = base_tables(session, principal=principal, base_id=base_id, include_deleted=True)
    roles = {access.table.id: access.role for access in tables}
    return base.workspace_id, roles, [access.table for access in tables]


def _encode_cursor(item: TrashItem) -> str:
    raw = json.dumps([item.deleted_at.isoformat(), item.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, last_id = jsontext.loads(raw)
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError):
        raise BadRequest("The cursor is not valid.", details={"cursor": cursor}) from None


def list_trash(
    session: Session,
    *,
    principal: Principal,
    base_id: str,
    kind: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Items deleted in the last 30 days, most recently deleted first."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"limit must be between 1 and {MAX_PAGE}.", details={"limit": limit})
    try:
        kinds = [kind_named(kind)] if kind else list(KINDS.values())
    except NotFound:
        raise BadRequest(f"Unknown kind {kind!r}.", details={"kinds": sorted(KINDS)}) from None
    _, roles, tables = _table_roles(session, principal=principal, base_id=base_id)
    allowed = {tid for tid, role in roles.items() if at_least(role, LIST_ROLE)}
    if not allowed:
        best = max((r for r in roles.values() if r is not None), default=None, key=lambda r: RANK[r])
        raise Forbidden(
            f"Seeing the trash needs {LIST_ROLE} or higher.",
            details={"id": base_id, "role": best, "required": LIST_ROLE},
        )
    names = {t.id: t.name for t in tables if t.id in allowed}
    live = [t.id for t in tables if t.id in allowed and t.deleted_at is None]
    cutoff = retention_cutoff()
    after = _decode_cursor(cursor) if cursor else None
    items: list[TrashItem] = []
    for trash_kind in kinds:
        items += trash_kind.list_for_base(
            session, table_names=names, live_table_ids=live, cutoff=cutoff, after=after, limit=limit + 1
        )
    items.sort(key=lambda i: (i.deleted_at, i.id), reverse=True)
    page, more = items[:limit], len(items) > limit
    return {
        "items": [
            {
                "kind": i.kind,
                "id": i.id,
                "table_id": i.table_id,
                "table_name": i.table_name,
                "name": i.name,
                "deleted_at": i.deleted_at,
                "expires_at": i.deleted_at + RETENTION,
                "can_restore": at_least(roles.get(i.table_id), KINDS[i.kind].restore_role),
            }
            for i in page
        ],
        "next_cursor": _encode_cursor(page[-1]) if more and page else None,
    }


def restore(
    session: Session, *, principal: Principal, kind: str, object_id: str, table_id: str | None = None
) -> dict[str, Any]:
    """Restore from the trash. `table_id`, the object's table as the trash listing gives it, lets a
    record be found in its own table's records instead of all of them."""
    trash_kind = kind_named(kind)
    what = trash_kind.name.capitalize()
    if not looks_like_id(object_id, ID_PREFIX[trash_kind.name]) or (
        table_id is not None and not looks_like_id(table_id, "tbl")
    ):
        raise NotFound(f"{what} not found", details={"id": object_id})
    obj = trash_kind.find(session, object_id, table_id=table_id)
    if obj is None or (table_id is not None and trash_kind.table_id_of(obj) != table_id):
        raise NotFound(f"{what} not found in the trash", details={"id": object_id})
    table_id = trash_kind.table_id_of(obj)
    # Errors name the object asked for, so a hidden table's ID never shows.
    access = require_table(
        session,
        principal=principal,
        table_id=table_id,
        need=trash_kind.restore_role,
        include_deleted=True,
        what=what,
        object_id=object_id,
    )
    table, workspace_id = access.table, access.workspace_id
    if obj.deleted_at is None:
        raise Conflict(f"{what} is not in the trash.", details={"id": object_id}, code="not_in_trash")
    if trash_kind.needs_live_table() and table.deleted_at is not None:
        raise Conflict(
            f"Its table {table.name!r} is in the trash: restore the table first.",
            details={"id": object_id, "table_id": table.id},
            code="table_in_trash",
        )
    if obj.deleted_at < retention_cutoff():
        raise NotFound(
            f"{what} was deleted more than {RETENTION.days} days ago and can no longer be restored.",
            details={"id": object_id, "deleted_at": obj.deleted_at.isoformat()},
            code="trash_expired",
        )
    payload = trash_kind.restore(session, obj, principal=principal)
    run_restore_hooks(trash_kind.name, session, obj, principal)
    if trash_kind.event is not None:
        emit(
            session,
            type=trash_kind.event,
            workspace_id=workspace_id,
            base_id=table.base_id,
            table_id=table.id,
            actor_id=principal.user_id,
            payload=payload,
        )
    return {"kind": trash_kind.name, "id": object_id, "restored": True, **payload}
