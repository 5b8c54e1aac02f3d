"""Managing grants: a user's role on one base or one table, overriding their workspace role there.

Only an admin of the base may grant, change or remove roles on the base or its tables. Grants go up to
admin (never owner), and a workspace owner's access can only be narrowed by another owner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pybase.access.models import Grant
from pybase.access.roles import GRANTABLE_BELOW_WORKSPACE, Principal
from pybase.access.service import require_base, require_table, workspace_role
from pybase.auth.models import User
from pybase.db import utcnow
from pybase.errors import Forbidden, NotFound, ValidationFailed
from pybase.events.service import emit
from pybase.ids import looks_like_id
from pybase.workspaces.models import WorkspaceMember

SCOPES = ("base", "table")


def _scope(session: Session, principal: Principal, scope_type: str, scope_id: str) -> dict[str, Any]:
    """Check the caller is admin of the base in question; returns where the grant lives."""
    if scope_type == "base":
        base = require_base(session, principal=principal, base_id=scope_id, role="admin")
        return {"workspace_id": base.workspace_id, "base_id": base.id, "table_id": None}
    if scope_type == "table":
        # Visibility first (404 for outsiders), then the base-admin rule (403).
        table = require_table(session, principal=principal, table_id=scope_id, need="viewer").table
        base = require_base(session, principal=principal, base_id=table.base_id, role="admin")
        return {"workspace_id": base.workspace_id, "base_id": base.id, "table_id": table.id}
    raise ValidationFailed("Unknown grant scope.", details={"scope_type": scope_type, "allowed": list(SCOPES)})


def _grant_dict(grant: Grant, user: User) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "email": user.email,
        "name": user.name,
        "scope_type": grant.scope_type,
        "scope_id": grant.scope_id,
        "role": grant.role,
        "created_at": grant.created_at,
    }


def _target_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id) if looks_like_id(user_id, "usr") else None
    if user is None or not user.is_active:
        raise NotFound("User not found", details={"user_id": user_id}, code="user_not_found")
    return user


def _protect_owner(session: Session, principal: Principal, workspace_id: str, user_id: str) -> None:
    target_role = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    )
    if target_role == "owner":
        _, mine = workspace_role(session, principal=principal, workspace_id=workspace_id)
        if principal.effective(mine) != "owner":
            raise Forbidden("Only an owner can change an owner's access.", code="owner_required")


def list_grants(session: Session, *, principal: Principal, scope_type: str, scope_id: str) -> list[dict[str, Any]]:
    _scope(session, principal, scope_type, scope_id)
    rows = session.execute(
        select(Grant, User)
        .join(User, User.id == Grant.user_id)
        .where(Grant.scope_id == scope_id, Grant.scope_type == scope_type)
        .order_by(Grant.created_at, Grant.user_id)
    ).all()
    return [_grant_dict(grant, user) for grant, user in rows]


def set_grant(
    session: Session, *, principal: Principal, scope_type: str, scope_id: str, user_id: str, role: str
) -> dict[str, Any]:
    """Create or change a user's grant on a base or table (an upsert: PUT semantics)."""
    if role not in GRANTABLE_BELOW_WORKSPACE:
        raise ValidationFailed("Unknown role.", details={"role": role, "allowed": list(GRANTABLE_BELOW_WORKSPACE)})
    where = _scope(session, principal, scope_type, scope_id)
    user = _target_user(session, user_id)
    _protect_owner(session, principal, where["workspace_id"], user.id)
    previous = session.scalar(select(Grant.role).where(Grant.user_id == user.id, Grant.scope_id == scope_id))
    # Upsert on (user, scope): concurrent PUTs of the same grant cannot collide.
    session.execute(
        insert(Grant)
        .values(
            user_id=user.id,
            workspace_id=where["workspace_id"],
            scope_type=scope_type,
            scope_id=scope_id,
            role=role,
            created_at=utcnow(),
        )
        .on_conflict_do_update(constraint="pk_grants", set_={"role": role})
    )
    grant = session.scalar(
        select(Grant)
        .where(Grant.user_id == user.id, Grant.scope_id == scope_id)
        .execution_options(populate_existing=True)
    )
    assert grant is not None
    if previous != role:
        emit(
            session,
            type="grant.changed",
            actor_id=principal.user_id,
            **where,
            payload={
                "user_id": user.id,
                "scope_type": scope_type,
                "scope_id": scope_id,
                "role": role,
                "previous_role": previous,
            },
        )
    return _grant_dict(grant, user)


def remove_grant(session: Session, *, principal: Principal, scope_type: str, scope_id: str, user_id: str) -> None:
    where = _scope(session, principal, scope_type, scope_id)
    grant = (
        session.scalar(select(Grant).where(Grant.user_id == user_id, Grant.scope_id == scope_id))
        if looks_like_id(user_id, "usr")
        else None
    )
    if grant is None:
        raise NotFound("Grant not found", details={"user_id": user_id, "scope_id": scope_id})
    _protect_owner(session, principal, where["workspace_id"], user_id)
    session.delete(grant)
    session.flush()
    emit(
        session,
        type="grant.changed",
        actor_id=principal.user_id,
        **where,
        payload={
            "user_id": user_id,
            "scope_type": scope_type,
            "scope_id": scope_id,
            "role": None,
            "previous_role": grant.role,
        },
    )
