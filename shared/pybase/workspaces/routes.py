"""Workspace, member and invitation routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from pybase.api import COMMON, CurrentPrincipal, DbSession, UserId, WorkspaceId, errors
from pybase.workspaces import schemas, service

router = APIRouter(tags=["workspaces"], responses=errors(*COMMON, 409))


def _workspace_out(pair: tuple) -> dict:
    workspace, role = pair
    return {"id": workspace.id, "name": workspace.name, "role": role, "created_at": workspace.created_at}


@router.get("/workspaces", response_model=list[schemas.WorkspaceOut])
def list_workspaces(principal: CurrentPrincipal, session: DbSession) -> object:
    """The workspaces you are a member of, with your role in each."""
    return [_workspace_out(pair) for pair in service.list_workspaces(session, principal=principal)]


@router.post("/workspaces", status_code=201, response_model=schemas.WorkspaceOut)
def create_workspace(
    body: schemas.WorkspaceIn, principal: CurrentPrincipal, session: DbSession
) -> object:
    """Create a workspace; you become its owner."""
    return _workspace_out(service.create_workspace(session, principal=principal, name=body.name))


@router.get("/workspaces/{workspaceId}", response_model=schemas.WorkspaceOut)
def get_workspace(
    workspaceId: WorkspaceId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """One workspace you are a member of, with your role."""
    return _workspace_out(service.get_workspace(session, principal=principal, workspace_id=workspaceId))


@router.patch("/workspaces/{workspaceId}", response_model=schemas.WorkspaceOut)
def update_workspace(
    workspaceId: WorkspaceId,
    body: schemas.WorkspaceUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Rename a workspace (admins and owners)."""
    return _workspace_out(
        service.update_workspace(session, principal=principal, workspace_id=workspaceId, name=body.name)
    )


@router.delete("/workspaces/{workspaceId}", status_code=204)
def delete_workspace(
    workspaceId: WorkspaceId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Delete a workspace with its bases, tables and records (owners only)."""
    service.delete_workspace(session, principal=principal, workspace_id=workspaceId)
    return Response(status_code=204)


@router.get("/workspaces/{workspaceId}/members", response_model=list[schemas.MemberOut])
def list_members(
    workspaceId: WorkspaceId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """The workspace's members and their roles."""
    return service.list_members(session, principal=principal, workspace_id=workspaceId)


@router.post("/workspaces/{workspaceId}/members", status_code=201, response_model=schemas.MemberOut)
def add_member(
    workspaceId: WorkspaceId,
    body: schemas.MemberAddIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Add an existing user to the workspace with a role (admins and owners)."""
    return service.add_member(session, principal=principal, workspace_id=workspaceId, email=body.email, role=body.role)


@router.patch("/workspaces/{workspaceId}/members/{userId}", response_model=schemas.MemberOut)
def update_member(
    workspaceId: WorkspaceId,
    userId: UserId,
    body: schemas.MemberUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Change a member's role (admins and owners; the last owner cannot be demoted)."""
    return service.update_member(session, principal=principal, workspace_id=workspaceId, user_id=userId, role=body.role)


@router.delete("/workspaces/{workspaceId}/members/{userId}", status_code=204)
def remove_member(
    workspaceId: WorkspaceId,
    userId: UserId,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    """Remove a member from the workspace (the last owner cannot be removed)."""
    service.remove_member(session, principal=principal, workspace_id=workspaceId, user_id=userId)
    return Response(status_code=204)


@router.get("/workspaces/{workspaceId}/invitations", response_model=list[schemas.InvitationOut])
def list_invitations(
    workspaceId: WorkspaceId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """Pending invitations to the workspace."""
    return service.list_invitations(session, principal=principal, workspace_id=workspaceId)


@router.post("/workspaces/{workspaceId}/invitations", status_code=201, response_model=schemas.InvitationCreatedOut)
def create_invitation(
    workspaceId: WorkspaceId,
    body: schemas.InvitationIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Invite someone by email with a role: answers the invitation with its token (shown once) to send them."""
    invitation, token = service.create_invitation(
        session,
        principal=principal,
        workspace_id=workspaceId,
        email=body.email,
        role=body.role,
        expires_in_days=body.expires_in_days,
    )
    return {**invitation, "token": token}


@router.delete("/workspaces/{workspaceId}/invitations/{invitationId}", status_code=204)
def revoke_invitation(
    workspaceId: WorkspaceId,
    invitationId: Annotated[str, Path(description="ID of the invitation (`inv…`).")],
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    """Withdraw a pending invitation; its token no longer works."""
    service.revoke_invitation(session, principal=principal, workspace_id=workspaceId, invitation_id=invitationId)
    return Response(status_code=204)


@router.post("/invitations/accept", response_model=schemas.WorkspaceOut)
def accept_invitation(
    body: schemas.InvitationAcceptIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Accept an invitation with its token: you join the workspace with the invited role."""
    return _workspace_out(service.accept_invitation(session, principal=principal, token=body.token))
