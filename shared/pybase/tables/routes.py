"""Table routes: /bases/{baseId}/tables and /tables/{tableId}."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, TableId, errors
from pybase.tables import schemas, service

router = APIRouter(tags=["tables"], responses=errors(*COMMON, 409))


@router.get("/bases/{baseId}/tables", response_model=list[schemas.TableOut])
def list_tables(
    baseId: BaseId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """The tables of a base that you can see, in their order."""
    return service.list_tables(session, principal=principal, base_id=baseId)


@router.post("/bases/{baseId}/tables", status_code=201, response_model=schemas.TableOut)
def create_table(
    baseId: BaseId,
    body: schemas.TableIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Create a table in a base, with a primary field (admins)."""
    return service.create_table(
        session, principal=principal, base_id=baseId, name=body.name, description=body.description
    )


@router.get("/tables/{tableId}", response_model=schemas.TableDetailOut)
def get_table(
    tableId: TableId, principal: CurrentPrincipal, session: DbSession
) -> object:
    """One table, with its fields and views."""
    return service.get_table(session, principal=principal, table_id=tableId)


@router.patch("/tables/{tableId}", response_model=schemas.TableOut)
def update_table(
    tableId: TableId,
    body: schemas.TableUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Rename or reorder a table (admins)."""
    return service.update_table(session, principal=principal, table_id=tableId, **body.model_dump(exclude_unset=True))


@router.delete("/tables/{tableId}", status_code=204)
def delete_table(
    tableId: TableId, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Move a table with its records to the trash (admins); restorable from the trash."""
    service.delete_table(session, principal=principal, table_id=tableId)
    return Response(status_code=204)
