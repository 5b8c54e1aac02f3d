"""Tables within a base. A new table starts with its primary field (text "Name") and a grid view.

Creating a table needs admin on the base; renaming or deleting one needs admin on that table (a table
grant counts); reading needs any role that reaches it. Deleting moves the table to the trash.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from pybase.access.models import Grant
from pybase.access.roles import Principal
from pybase.access.service import _check as check_role
from pybase.access.service import require_base, table_role
from pybase.bases.models import AppBase
from pybase.db import utcnow
from pybase.errors import Conflict
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.tables.models import Table
from pybase.views.models import View
from pybase.workspaces.models import WorkspaceMember

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


def require_table_role(session: Session, *, principal: Principal, table_id: str, role: str) -> tuple[Table, str, str]:
    """Like access.service.require_table, but also returns the workspace ID and the effective role."""
    table, workspace_id, actual = table_role(session, principal=principal, table_id=table_id)
    return table, workspace_id, check_role(principal, actual, role, "Table", table_id)


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
    _, _, role = table_role(session, principal=principal, table_id=table.id)
    return _table_dict(table, principal.effective(role))


def list_tables(session: Session, *, principal: Principal, base_id: str) -> list[dict[str, Any]]:
    """The base's tables (not in the trash) that the caller can reach, with the caller's role on each."""
    base = require_base(session, principal=principal, base_id=base_id, role="viewer")
    member_role = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == base.workspace_id, WorkspaceMember.user_id == principal.user_id
        )
    )
    base_granted = session.scalar(
        select(Grant.role).where(Grant.scope_id == base.id, Grant.user_id == principal.user_id)
    )
    table_grant = aliased(Grant)
    rows = session.execute(
        select(Table, table_grant.role)
        .outerjoin(table_grant, and_(table_grant.scope_id == Table.id, table_grant.user_id == principal.user_id))
        .where(Table.base_id == base.id, Table.deleted_at.is_(None))
        .order_by(Table.position, Table.created_at, Table.id)
    ).all()
    result = []
    for table, granted in rows:
        # Most specific wins: table grant, else base grant, else workspace membership.
        role = granted or base_granted or member_role
        if role is not None:
            result.append(_table_dict(table, principal.effective(role)))
    return result


def get_table(session: Session, *, principal: Principal, table_id: str) -> dict[str, Any]:
    table, _, role = require_table_role(session, principal=principal, table_id=table_id, role="viewer")
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
    table, workspace_id, role = require_table_role(session, principal=principal, table_id=table_id, role="admin")
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
    table, workspace_id, _ = require_table_role(session, principal=principal, table_id=table_id, role="admin")
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
