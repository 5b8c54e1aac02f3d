"""Workspaces, their members and invitations.

Rules: any member reads the workspace and its member list; admins rename it and manage members and
invitations; only owners delete it, and only owners give, change or take away the owner role. A workspace
always keeps at least one owner (membership changes lock the workspace row so two owners cannot
demote each other at once).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pybase.access.models import Grant
from pybase.access.roles import RANK, ROLES, Principal, at_least
from pybase.access.service import require_workspace, workspace_role
from pybase.auth.models import User
from pybase.auth.security import random_secret, sha256
from pybase.auth.service import require_session_login
from pybase.bases.models import AppBase
from pybase.db import utcnow
from pybase.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pybase.events.service import emit
from pybase.ids import looks_like_id
from pybase.workspaces.models import Invitation, Workspace, WorkspaceMember

INVITATION_TOKEN_PREFIX = "inv_"


def _known_role(role: str) -> str:
    if role not in RANK:
        raise ValidationFailed("Unknown role.", details={"role": role, "allowed": list(ROLES)})
    return role


def require_structure_rights(principal: Principal) -> None:
    """Creating a workspace needs a login session or an unrestricted admin-scope API token."""
    if principal.token_base_ids is not None or not at_least(principal.effective("owner"), "admin"):
        raise Forbidden("This API token cannot create workspaces.", code="token_scope")


def _require(session: Session, principal: Principal, workspace_id: str, role: str) -> Workspace:
    return require_workspace(session, principal=principal, workspace_id=workspace_id, role=role)


def _my_role(session: Session, principal: Principal, workspace_id: str) -> str | None:
    _, role = workspace_role(session, principal=principal, workspace_id=workspace_id)
    return principal.effective(role)


# --- workspaces ---------------------------------------------------------------------------------


def create_workspace(session: Session, *, principal: Principal, name: str) -> tuple[Workspace, str | None]:
    require_structure_rights(principal)
    workspace = Workspace(name=name, created_by=principal.user_id)
    session.add(workspace)
    session.flush()
    session.add(WorkspaceMember(workspace_id=workspace.id, user_id=principal.user_id, role="owner"))
    session.flush()
    emit(
        session,
        type="workspace.created",
        workspace_id=workspace.id,
        actor_id=principal.user_id,
        payload={"name": name, "user_id": principal.user_id},
    )
    return workspace, principal.effective("owner")


def list_workspaces(session: Session, *, principal: Principal) -> list[tuple[Workspace, str | None]]:
    """Workspaces the caller belongs to, plus those where they only hold a base or table grant (role None)."""
    rows = session.execute(
        select(Workspace, WorkspaceMember.role)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(WorkspaceMember.user_id == principal.user_id)
        .order_by(Workspace.created_at, Workspace.id)
    ).all()
    result: list[tuple[Workspace, str | None]] = [(ws, principal.effective(role)) for ws, role in rows]
    seen = {ws.id for ws, _ in result}
    guest_of = session.scalars(
        select(Workspace)
        .where(Workspace.id.in_(select(Grant.workspace_id).where(Grant.user_id == principal.user_id)))
        .order_by(Workspace.created_at, Workspace.id)
    ).all()
    result.extend((ws, None) for ws in guest_of if ws.id not in seen)
    if principal.token_base_ids is not None:
        # A base-limited token sees only the workspaces of its bases, read-only.
        reachable = set(session.scalars(select(AppBase.workspace_id).where(AppBase.id.in_(principal.token_base_ids))))
        result = [(ws, "viewer" if role else None) for ws, role in result if ws.id in reachable]
    return result


def get_workspace(session: Session, *, principal: Principal, workspace_id: str) -> tuple[Workspace, str | None]:
    workspace = _require(session, principal, workspace_id, "viewer")
    return workspace, _my_role(session, principal, workspace_id)


def update_workspace(
    session: Session, *, principal: Principal, workspace_id: str, name: str
) -> tuple[Workspace, str | None]:
    workspace = _require(session, principal, workspace_id, "admin")
    workspace.name = name
    session.flush()
    emit(
        session,
        type="workspace.updated",
        workspace_id=workspace.id,
        actor_id=principal.user_id,
        payload={"name": name},
    )
    return workspace, _my_role(session, principal, workspace_id)


def delete_workspace(session: Session, *, principal: Principal, workspace_id: str) -> None:
    workspace = _require(session, principal, workspace_id, "owner")
    from pybase.tables.models import Table
    from pybase.tables.service import drop_record_indexes

    table_ids = session.scalars(
        select(Table.id).join(AppBase, AppBase.id == Table.base_id).where(AppBase.workspace_id == workspace_id)
    )
    drop_record_indexes(session, table_ids=list(table_ids))
    # Logged first: the change log has no foreign key, so the event outlives the rows it describes.
    emit(session, type="workspace.deleted", workspace_id=workspace.id, actor_id=principal.user_id, payload={})
    session.delete(workspace)
    session.flush()


# --- members ------------------------------------------------------------------------------------


def _member_dict(member: WorkspaceMember, user: User) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "email": user.email,
        "name": user.name,
        "role": member.role,
        "created_at": member.created_at,
    }


def _lock_workspace(session: Session, workspace_id: str) -> None:
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())


def _owner_count(session: Session, workspace_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(WorkspaceMember)
            .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.role == "owner")
        )
        or 0
    )


def _get_member(session: Session, workspace_id: str, user_id: str) -> tuple[WorkspaceMember, User]:
    row = (
        session.execute(
            select(WorkspaceMember, User)
            .join(User, User.id == WorkspaceMember.user_id)
            .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id)
        ).first()
        if looks_like_id(user_id, "usr")
        else None
    )
    if row is None:
        raise NotFound("Member not found", details={"user_id": user_id})
    return row[0], row[1]


def _require_owner_for(principal_role: str | None, *roles: str) -> None:
    if "owner" in roles and principal_role != "owner":
        raise Forbidden("Only an owner can give, change or remove the owner role.", code="owner_required")


def list_members(session: Session, *, principal: Principal, workspace_id: str) -> list[dict[str, Any]]:
    _require(session, principal, workspace_id, "viewer")
    if _my_role(session, principal, workspace_id) is None:
        # Guests of one base or table see the workspace's name, not who else is in it.
        raise Forbidden("Only workspace members can see the member list.", code="members_only")
    rows = session.execute(
        select(WorkspaceMember, User)
        .join(User, User.id == WorkspaceMember.user_id)
        .where(WorkspaceMember.workspace_id == workspace_id)
        .order_by(WorkspaceMember.created_at, User.id)
    ).all()
    return [_member_dict(member, user) for member, user in rows]


def add_member(session: Session, *, principal: Principal, workspace_id: str, email: str, role: str) -> dict[str, Any]:
    _known_role(role)
    _require(session, principal, workspace_id, "admin")
    _require_owner_for(_my_role(session, principal, workspace_id), role)
    user = session.scalar(select(User).where(User.email == email.strip().lower(), User.is_active.is_(True)))
    if user is None:
        raise NotFound("No account has this email; send an invitation instead.", code="user_not_found")
    _lock_workspace(session, workspace_id)
    member = WorkspaceMember(workspace_id=workspace_id, user_id=user.id, role=role)
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("This user is already a member.", code="already_member") from exc
    emit(
        session,
        type="member.added",
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"user_id": user.id, "role": role},
    )
    return _member_dict(member, user)


def update_member(
    session: Session, *, principal: Principal, workspace_id: str, user_id: str, role: str
) -> dict[str, Any]:
    _known_role(role)
    _require(session, principal, workspace_id, "admin")
    _lock_workspace(session, workspace_id)
    member, user = _get_member(session, workspace_id, user_id)
    _require_owner_for(_my_role(session, principal, workspace_id), role, member.role)
    if member.role == "owner" and role != "owner" and _owner_count(session, workspace_id) <= 1:
        raise Conflict("A workspace needs at least one owner.", code="last_owner")
    previous = member.role
    if previous == role:
        return _member_dict(member, user)
    member.role = role
    session.flush()
    emit(
        session,
        type="member.updated",
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"user_id": user.id, "role": role, "previous_role": previous},
    )
    return _member_dict(member, user)


def remove_member(session: Session, *, principal: Principal, workspace_id: str, user_id: str) -> None:
    """Remove a member (admins), or leave (any member, from a login session). Their grants go too."""
    leaving = user_id == principal.user_id and principal.token_id is None
    _require(session, principal, workspace_id, "viewer" if leaving else "admin")
    _lock_workspace(session, workspace_id)
    member, user = _get_member(session, workspace_id, user_id)
    if not leaving:
        _require_owner_for(_my_role(session, principal, workspace_id), member.role)
    if member.role == "owner" and _owner_count(session, workspace_id) <= 1:
        raise Conflict("A workspace needs at least one owner.", code="last_owner")
    removed_grants = session.execute(
        delete(Grant).where(Grant.workspace_id == workspace_id, Grant.user_id == user.id)
    ).rowcount
    session.delete(member)
    session.flush()
    emit(
        session,
        type="member.removed",
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"user_id": user.id, "role": member.role, "grants_removed": removed_grants},
    )


# --- invitations --------------------------------------------------------------------------------


def _invitation_dict(invitation: Invitation, now: datetime) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "workspace_id": invitation.workspace_id,
        "email": invitation.email,
        "role": invitation.role,
        "invited_by": invitation.invited_by,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "status": "expired" if invitation.expires_at <= now else "pending",
    }


def create_invitation(
    session: Session,
    *,
    principal: Principal,
    workspace_id: str,
    email: str,
    role: str,
    expires_in_days: int = 7,
) -> tuple[dict[str, Any], str]:
    """Invite an email address; returns the invitation and its acceptance token (shown once).

    Inviting the same address again replaces the pending invitation.
    """
    _known_role(role)
    if not 1 <= expires_in_days <= 30:
        raise ValidationFailed("expires_in_days must be between 1 and 30.")
    _require(session, principal, workspace_id, "admin")
    _require_owner_for(_my_role(session, principal, workspace_id), role)
    email = email.strip().lower()
    already = session.scalar(
        select(WorkspaceMember.user_id)
        .join(User, User.id == WorkspaceMember.user_id)
        .where(WorkspaceMember.workspace_id == workspace_id, User.email == email)
    )
    if already is not None:
        raise Conflict("This person is already a member.", code="already_member")
    now = utcnow()
    pending = session.scalars(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ).all()
    for old in pending:
        old.revoked_at = now
    token = INVITATION_TOKEN_PREFIX + random_secret(32)
    invitation = Invitation(
        workspace_id=workspace_id,
        email=email,
        role=role,
        token_hash=sha256(token),
        invited_by=principal.user_id,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    session.add(invitation)
    session.flush()
    emit(
        session,
        type="invitation.created",
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"invitation_id": invitation.id, "role": role},
    )
    return _invitation_dict(invitation, now), token


def list_invitations(session: Session, *, principal: Principal, workspace_id: str) -> list[dict[str, Any]]:
    """Open invitations (pending or expired; accepted and revoked ones are not listed)."""
    _require(session, principal, workspace_id, "admin")
    now = utcnow()
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    return [_invitation_dict(invitation, now) for invitation in rows]


def revoke_invitation(session: Session, *, principal: Principal, workspace_id: str, invitation_id: str) -> None:
    _require(session, principal, workspace_id, "admin")
    invitation = session.get(Invitation, invitation_id) if looks_like_id(invitation_id, "inv") else None
    if (
        invitation is None
        or invitation.workspace_id != workspace_id
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
    ):
        raise NotFound("Invitation not found", details={"id": invitation_id})
    _require_owner_for(_my_role(session, principal, workspace_id), invitation.role)
    invitation.revoked_at = utcnow()
    session.flush()
    emit(
        session,
        type="invitation.revoked",
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"invitation_id": invitation.id},
    )


def accept_invitation(session: Session, *, principal: Principal, token: str) -> tuple[Workspace, str]:
    """The invited person, signed in with the invited email address, joins with the invited role."""
    require_session_login(principal)
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == sha256(token)).with_for_update())
    if invitation is None or invitation.revoked_at is not None or invitation.accepted_at is not None:
        raise NotFound("Invitation not found or no longer valid.", code="invitation_not_found")
    if invitation.expires_at <= utcnow():
        raise Conflict("This invitation has expired; ask for a new one.", code="invitation_expired")
    user = session.get(User, principal.user_id)
    if user is None or user.email != invitation.email:
        raise Forbidden("This invitation was sent to another email address.", code="invitation_email_mismatch")
    _lock_workspace(session, invitation.workspace_id)
    existing = session.get(WorkspaceMember, (invitation.workspace_id, user.id))
    if existing is not None:
        raise Conflict("You are already a member of this workspace.", code="already_member")
    session.add(WorkspaceMember(workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role))
    invitation.accepted_at = utcnow()
    session.flush()
    emit(
        session,
        type="member.added",
        workspace_id=invitation.workspace_id,
        actor_id=user.id,
        payload={"user_id": user.id, "role": invitation.role, "invitation_id": invitation.id},
    )
    workspace = session.get(Workspace, invitation.workspace_id)
    assert workspace is not None
    return workspace, invitation.role
