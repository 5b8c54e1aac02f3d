"""Trash routes: GET /bases/{baseId}/trash, POST /trash/{kind}/{id}/restore (tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, errors
from pybase.trash import service
from pybase.trash.schemas import TrashList

router = APIRouter(tags=["trash"], responses=errors(*COMMON, 409))


@router.get("/bases/{base_id}/trash", response_model=TrashList)
def list_trash(
    *,
    base_id: BaseId,
    kind: str | None = Query(default=None, description="table, field, view or record"),
    limit: int = Query(default=100, ge=1, le=service.MAX_PAGE),
    cursor: str | None = None,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Any:
    return service.list_trash(session, principal=principal, base_id=base_id, kind=kind, limit=limit, cursor=cursor)


@router.post("/trash/{kind}/{object_id}/restore")
def restore(
    kind: str,
    object_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return service.restore(session, principal=principal, kind=kind, object_id=object_id)
