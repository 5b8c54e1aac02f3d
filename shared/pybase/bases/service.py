"""Bases within a workspace. Creating one needs workspace admin; renaming or deleting one needs admin
on that base (a base grant counts); reading needs any role that reaches it."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pybase.access.models import Grant
from pybase.access.roles import Principal
from pybase.access.service import base_role, require_base, require_workspace, workspace_bases
from pybase.bases.models import AppBase
from pybase.events.service import emit
from pybase.tables.models import Table
from pybase.tables.service import drop_record_indexes
from pybase.workspaces.models import WorkspaceMember


def create_base(session: Session, *, principal: Principal, workspace_id: str, name: str) -> tuple[AppBase, str | None]:
    require_workspace(session, principal=principal, workspace_id=workspace_id, role="admin")
    base = AppBase(workspace_id=workspace_id, name=name, created_by=principal.user_id)
    session.add(base)
    session.flush()
    emit(
        session,
        type="base.created",
        workspace_id=workspace_id,
        base_id=base.id,
        actor_id=principal.user_id,
        payload={"name": name},
    )
    role = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == principal.user_id
        )
    )
    return base, principal.effective(role)


def list_bases(session: Session, *, principal: Principal, workspace_id: str) -> list[tuple[AppBase, str | None]]:
    """The workspace's bases the caller can reach, each with the caller's effective role there."""
    require_workspace(session, principal=principal, workspace_id=workspace_id, role="viewer")
    return [
        (base, role) for base, role in workspace_bases(session, principal=principal, workspace_id=workspace_id) if role
    ]


def get_base(session: Session, *, principal: Principal, base_id: str) -> tuple[AppBase, str | None]:
    base = require_base(session, principal=principal, base_id=base_id, role="viewer")
    _, role = base_role(session, principal=principal, base_id=base_id)
    return base, principal.effective(role)


def update_base(session: Session, *, principal: Principal, base_id: str, name: str) -> tuple[AppBase, str | None]:
    base = require_base(session, principal=principal, base_id=base_id, role="admin")
    base.name = name
    session.flush()
    emit(
        session,
        type="base.updated",
        workspace_id=base.workspace_id,
        base_id=base.id,
        actor_id=principal.user_id,
        payload={"name": name},
    )
    return get_base(session, principal=principal, base_id=base_id)


def delete_base(session: Session, *, principal: Principal, base_id: str) -> None:
    """Delete a base with its tables (their rows cascade). Grants on it and its tables go too."""
    base = require_base(session, principal=principal, base_id=base_id, role="admin")
    table_ids = list(session.scalars(select(Table.id).where(Table.base_id == base.id)))
    session.execute(delete(Grant).where((Grant.scope_id == base.id) | Grant.scope_id.in_(table_ids)))
    drop_record_indexes(session, table_ids=table_ids)
    emit(session, type="base.deleted", workspace_id=base.workspace_id, base_id=base.id, actor_id=principal.user_id)
    session.delete(base)
    session.flush()
