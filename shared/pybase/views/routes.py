"""View CRUD: /tables/{tableId}/views and /views/{viewId} (served by the tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pybase.api import COMMON, CurrentPrincipal, DbSession, Deleted, TableId, ViewId, answers, errors
from pybase.views import service
from pybase.views.schemas import ViewCreate, ViewList, ViewOut, ViewUpdate

router = APIRouter(tags=["views"], responses=errors(*COMMON, 409))


@router.get("/tables/{table_id}/views", response_model=ViewList)
def list_views(
    table_id: TableId, principal: CurrentPrincipal, session: DbSession
) -> ViewList:
    """The views of a table (grid, kanban, calendar, gallery, form), in their order."""
    return ViewList(views=service.list_views(session, principal=principal, table_id=table_id))


@router.post("/tables/{table_id}/views", response_model=ViewOut, status_code=201)
def create_view(
    table_id: TableId,
    body: ViewCreate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> ViewOut:
    """Create a view of a table; `config` holds its filters, sorts, groups and visible fields."""
    return service.create_view(
        session, principal=principal, table_id=table_id, name=body.name, type=body.type, config=body.config
    )


@router.get("/views/{view_id}", response_model=ViewOut)
def get_view(
    view_id: ViewId, principal: CurrentPrincipal, session: DbSession
) -> ViewOut:
    """One view, with its configuration."""
    return service.get_view(session, principal=principal, view_id=view_id)


@router.patch("/views/{view_id}", response_model=ViewOut)
def update_view(
    view_id: ViewId,
    body: ViewUpdate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> ViewOut:
    """Rename, reorder or reconfigure a view (filters, sorts, groups, visible fields)."""
    return service.update_view(
        session,
        principal=principal,
        view_id=view_id,
        name=body.name,
        type=body.type,
        config=body.config,
        position=body.position,
    )


@router.delete("/views/{view_id}", **answers(Deleted, "The view is deleted."))
def delete_view(
    view_id: ViewId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """Delete a view; the records stay."""
    return service.delete_view(session, principal=principal, view_id=view_id)
