"""Base routes: /workspaces/{workspaceId}/bases and /bases/{baseId}."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, WorkspaceId, errors
from pybase.bases import schemas, service

router = APIRouter(tags=["bases"], responses=errors(*COMMON, 409))


def _base_out(pair: tuple) -> dict:
    base, role = pair
    return {
        "id": base.id,
        "workspace_id": base.workspace_id,
        "name": base.name,
        "role": role,
        "created_at": base.created_at,
    }


@router.get("/workspaces/{workspaceId}/bases", response_model=list[schemas.BaseOut])
def list_bases(
    workspaceId: WorkspaceId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """The bases of a workspace that you can see."""
    return [_base_out(pair) for pair in service.list_bases(session, principal=principal, workspace_id=workspaceId)]


@router.post("/workspaces/{workspaceId}/bases", status_code=201, response_model=schemas.BaseOut)
def create_base(
    workspaceId: WorkspaceId,
    body: schemas.BaseIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Create a base in a workspace (admins)."""
    return _base_out(service.create_base(session, principal=principal, workspace_id=workspaceId, name=body.name))


@router.get("/bases/{baseId}", response_model=schemas.BaseOut)
def get_base(
    baseId: BaseId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """One base, with your effective role on it."""
    return _base_out(service.get_base(session, principal=principal, base_id=baseId))


@router.patch("/bases/{baseId}", response_model=schemas.BaseOut)
def update_base(
    baseId: BaseId,
    body: schemas.BaseUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Rename a base (admins)."""
    return _base_out(service.update_base(session, principal=principal, base_id=baseId, name=body.name))


@router.delete("/bases/{baseId}", status_code=204)
def delete_base(
    baseId: BaseId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Delete a base with its tables and records (admins); this cannot be undone."""
    service.delete_base(session, principal=principal, base_id=baseId)
    return Response(status_code=204)
