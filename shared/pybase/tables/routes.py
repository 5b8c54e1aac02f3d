"""Table routes: /bases/{baseId}/tables and /tables/{tableId}."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth.deps import get_principal
from pybase.db import get_session
from pybase.tables import schemas, service

router = APIRouter(tags=["tables"])


@router.get("/bases/{baseId}/tables", response_model=list[schemas.TableOut])
def list_tables(
    baseId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> object:
    return service.list_tables(session, principal=principal, base_id=baseId)


@router.post("/bases/{baseId}/tables", status_code=201, response_model=schemas.TableOut)
def create_table(
    baseId: str,
    body: schemas.TableIn,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> object:
    return service.create_table(
        session, principal=principal, base_id=baseId, name=body.name, description=body.description
    )


@router.get("/tables/{tableId}", response_model=schemas.TableDetailOut)
def get_table(
    tableId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> object:
    return service.get_table(session, principal=principal, table_id=tableId)


@router.patch("/tables/{tableId}", response_model=schemas.TableOut)
def update_table(
    tableId: str,
    body: schemas.TableUpdateIn,
    principal: Principal = Depends(get_principal),
    session: Session = Depends(get_session),
) -> object:
    return service.update_table(session, principal=principal, table_id=tableId, **body.model_dump(exclude_unset=True))


@router.delete("/tables/{tableId}", status_code=204)
def delete_table(
    tableId: str, principal: Principal = Depends(get_principal), session: Session = Depends(get_session)
) -> Response:
    service.delete_table(session, principal=principal, table_id=tableId)
    return Response(status_code=204)
