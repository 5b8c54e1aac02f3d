"""View CRUD: /tables/{tableId}/views and /views/{viewId} (served by the tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth.deps import get_principal
from pybase.db import get_session
from pybase.views import service
from pybase.views.schemas import ViewCreate, ViewList, ViewOut, ViewUpdate

router = APIRouter(tags=["views"])


@router.get("/tables/{table_id}/views", response_model=ViewList)
def list_views(
    table_id: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> ViewList:
    return ViewList(views=service.list_views(session, principal=principal, table_id=table_id))


@router.post("/tables/{table_id}/views", response_model=ViewOut, status_code=201)
def create_view(
    table_id: str,
    body: ViewCreate,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> ViewOut:
    return service.create_view(
        session, principal=principal, table_id=table_id, name=body.name, type=body.type, config=body.config
    )


@router.get("/views/{view_id}", response_model=ViewOut)
def get_view(
    view_id: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> ViewOut:
    return service.get_view(session, principal=principal, view_id=view_id)


@router.patch("/views/{view_id}", response_model=ViewOut)
def update_view(
    view_id: str,
    body: ViewUpdate,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> ViewOut:
    return service.update_view(
        session,
        principal=principal,
        view_id=view_id,
        name=body.name,
        type=body.type,
        config=body.config,
        position=body.position,
    )


@router.delete("/views/{view_id}")
def delete_view(
    view_id: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> dict[str, Any]:
    return service.delete_view(session, principal=principal, view_id=view_id)
