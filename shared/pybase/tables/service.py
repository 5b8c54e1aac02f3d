"""Tables within a base. A new table starts with its primary field (text "Name") and a grid view.

Creating a table needs admin on the base; renaming or deleting one needs admin on that table (a table
grant counts); reading needs any role that reaches it. Deleting moves the table to the trash.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import base_tables, require_base, require_table, table_access
from pybase.bases.models import AppBase
from pybase.db import utcnow
from pybase.errors import Conflict
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.tables.models import Table
from pybase.views.models import View

PRIMARY_FIELD_NAME = "Name"
PRIMARY_FIELD_TYPE = "text"
DEFAULT_VIEW_NAME = "Grid view"
DEFAULT_VIEW_TYPE = "grid"


def _table_dict(table: Table, role: str | None) -> dict[str, Any]:
    return {
        "id": table.id,
        "base_id": table.base_id,
        "name": table.name,
        "description": table.description,
        "primary_field_id": table.primary_field_id,
        "position": table.position,
        "role": role,
        "created_at": table.created_at,
    }


def _check_name_free(session: Session, *, base_id: str, name: str, except_id: str | None = None) -> None:
    query = select(Table.id).where(
        Table.base_id == base_id, Table.deleted_at.is_(None), func.lower(Table.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Table.id != except_id)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict("A table with this name already exists in this base.", code="duplicate_name")


def create_table(
    session: Session, *, principal: Principal, base_id: str, name: str, description: str | None = None
) -> dict[str, Any]:
    base = require_base(session, principal=principal, base_id=base_id, role="admin")
    # Serialize table creation per base so two concurrent creates cannot both take a name.
    session.execute(select(AppBase.id).where(AppBase.id == base.id).with_for_update())
    _check_name_free(session, base_id=base.id, name=name)
    position = session.scalar(select(func.coalesce(func.max(Table.position) + 1, 0)).where(Table.base_id == base.id))
    table = Table(
        base_id=base.id, name=name, description=description, position=position or 0, created_by=principal.user_id
    )
    session.add(table)
    session.flush()
    # The primary field goes through the fields service (field.created, option defaults); imported here
    # because it pulls in the records engine, which this module does not otherwise need.
    from pybase.fields.service import add_field

    primary = add_field(
        session,
        table_id=table.id,
        workspace_id=base.workspace_id,
        base_id=base.id,
        actor_id=principal.user_id,
        name=PRIMARY_FIELD_NAME,
        type=PRIMARY_FIELD_TYPE,
        existing=[],
    )
    # An empty grid config: the views service reads every view config with its defaults.
    view = View(
        table_id=table.id,
        name=DEFAULT_VIEW_NAME,
        type=DEFAULT_VIEW_TYPE,
        config={},
        position=0,
        created_by=principal.user_id,
    )
    session.add(view)
    session.flush()
    emit(
        session,
        type="view.created",
        workspace_id=base.workspace_id,
        base_id=base.id,
        table_id=table.id,
        actor_id=principal.user_id,
        payload={"view_id": view.id, "name": view.name, "type": view.type},
    )
    table.primary_field_id = primary.id
    session.flush()
    emit(
        session,
        type="table.created",
        workspace_id=base.workspace_id,
        base_id=base.id,
        table_id=table.id,
        actor_id=principal.user_id,
        payload={"name": name, "primary_field_id": primary.id, "view_id": view.id},
    )
    return _table_dict(table, table_access(session, principal=principal, table_id=table.id).role)


def list_tables(session: Session, *, principal: Principal, base_id: str) -> list[dict[str, Any]]:
    """The base's tables (not in the trash) that the caller can reach, with the caller's role on each."""
    base = require_base(session, principal=principal, base_id=base_id, role="viewer")
    tables = base_tables(session, principal=principal, base_id=base.id)
    return [_table_dict(access.table, access.role) for access in tables if access.role is not None]


def get_table(session: Session, *, principal: Principal, table_id: str) -> dict[str, Any]:
    access = require_table(session, principal=principal, table_id=table_id, need="viewer")
    table, role = access.table, access.role
    fields = session.execute(
        select(Field.id, Field.name, Field.type)
        .where(Field.table_id == table.id, Field.deleted_at.is_(None))
        .order_by(Field.position, Field.created_at, Field.id)
    ).all()
    views = session.execute(
        select(View.id, View.name, View.type)
        .where(View.table_id == table.id, View.deleted_at.is_(None))
        .order_by(View.position, View.created_at, View.id)
    ).all()
    return {
        **_table_dict(table, role),
        "fields": [{"id": f.id, "name": f.name, "type": f.type} for f in fields],
        "views": [{"id": v.id, "name": v.name, "type": v.type} for v in views],
    }


def update_table(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    name: str | None = None,
    description: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    access = require_table(session, principal=principal, table_id=table_id, need="admin")
    table, workspace_id, role = access.table, access.workspace_id, access.role
    changes: dict[str, Any] = {}
    if name is not None and name != table.name:
        session.execute(select(AppBase.id).where(AppBase.id == table.base_id).with_for_update())
        _check_name_free(session, base_id=table.base_id, name=name, except_id=table.id)
        table.name = changes["name"] = name
    if description is not None and description != table.description:
        table.description = changes["description"] = description
    if position is not None and position != table.position:
        table.position = changes["position"] = position
    session.flush()
    if changes:
        emit(
            session,
            type="table.updated",
            workspace_id=workspace_id,
            base_id=table.base_id,
            table_id=table.id,
            actor_id=principal.user_id,
            payload={k: v for k, v in changes.items() if k != "description"} | {"fields": sorted(changes)},
        )
    return _table_dict(table, role)


def delete_table(session: Session, *, principal: Principal, table_id: str) -> None:
    """Move the table to the trash (restorable; purged after 30 days)."""
    access = require_table(session, principal=principal, table_id=table_id, need="admin")
    table, workspace_id = access.table, access.workspace_id
    table.deleted_at = utcnow()
    session.flush()
    emit(
        session,
        type="table.deleted",
        workspace_id=workspace_id,
        base_id=table.base_id,
        table_id=table.id,
        actor_id=principal.user_id,
        payload={"name": table.name},
    )


def drop_record_indexes(session: Session, *, table_ids: list[str]) -> None:
    """Before tables are hard-deleted (with their base or workspace): drop their records partitions
    (records and indexes with them; there is no foreign-key cascade from tables to records) and
    forget their expression indexes."""
    if not table_ids:
        return
    from pybase.records import indexes
    from pybase.records.partitions import drop_partitions

    for table_id in table_ids:
        indexes.drop_table_indexes(session, table_id=table_id)
    drop_partitions(session, table_ids)
