"""Trash routes: GET /bases/{baseId}/trash, POST /trash/{kind}/{id}/restore (tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth.deps import get_principal
from pybase.db import get_session
from pybase.trash import service
from pybase.trash.schemas import TrashList

router = APIRouter(tags=["trash"])


@router.get("/bases/{base_id}/trash", response_model=TrashList)
def list_trash(
    base_id: str,
    kind: str | None = Query(default=None, description="table, field, view or record"),
    limit: int = Query(default=100, ge=1, le=service.MAX_PAGE),
    cursor: str | None = None,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> Any:
    return service.list_trash(session, principal=principal, base_id=base_id, kind=kind, limit=limit, cursor=cursor)


@router.post("/trash/{kind}/{object_id}/restore")
def restore(
    kind: str,
    object_id: str,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    return service.restore(session, principal=principal, kind=kind, object_id=object_id)
