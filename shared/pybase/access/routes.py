"""Grant routes: /bases/{baseId}/grants (workspaces function) and /tables/{tableId}/grants (tables function)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from pybase.access import grants
from pybase.access.roles import Principal
from pybase.access.schemas import GrantIn, GrantOut
from pybase.auth.deps import get_principal
from pybase.db import get_session

base_grants_router = APIRouter(tags=["grants"])
table_grants_router = APIRouter(tags=["grants"])


@base_grants_router.get("/bases/{baseId}/grants", response_model=list[GrantOut])
def list_base_grants(
    baseId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> object:
    return grants.list_grants(session, principal=principal, scope_type="base", scope_id=baseId)


@base_grants_router.put("/bases/{baseId}/grants/{userId}", response_model=GrantOut)
def set_base_grant(
    baseId: str,
    userId: str,
    body: GrantIn,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> object:
    return grants.set_grant(
        session, principal=principal, scope_type="base", scope_id=baseId, user_id=userId, role=body.role
    )


@base_grants_router.delete("/bases/{baseId}/grants/{userId}", status_code=204)
def remove_base_grant(
    baseId: str, userId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> Response:
    grants.remove_grant(session, principal=principal, scope_type="base", scope_id=baseId, user_id=userId)
    return Response(status_code=204)


@table_grants_router.get("/tables/{tableId}/grants", response_model=list[GrantOut])
def list_table_grants(
    tableId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> object:
    return grants.list_grants(session, principal=principal, scope_type="table", scope_id=tableId)


@table_grants_router.put("/tables/{tableId}/grants/{userId}", response_model=GrantOut)
def set_table_grant(
    tableId: str,
    userId: str,
    body: GrantIn,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> object:
    return grants.set_grant(
        session, principal=principal, scope_type="table", scope_id=tableId, user_id=userId, role=body.role
    )


@table_grants_router.delete("/tables/{tableId}/grants/{userId}", status_code=204)
def remove_table_grant(
    tableId: str, userId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> Response:
    grants.remove_grant(session, principal=principal, scope_type="table", scope_id=tableId, user_id=userId)
    return Response(status_code=204)
