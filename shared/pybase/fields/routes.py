"""HTTP routes for fields: /tables/{tableId}/fields and /fields/{fieldId} (mounted by the tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from pybase.api import COMMON, CurrentPrincipal, DbSession, FieldId, TableId, errors
from pybase.fields import schemas, service

router = APIRouter(tags=["fields"], responses=errors(*COMMON, 409))


@router.get("/field-types")
def list_field_types() -> dict[str, Any]:
    return service.describe_field_types()


@router.get("/tables/{table_id}/fields")
def list_fields(
    table_id: TableId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    return {"fields": service.list_fields(session, principal=principal, table_id=table_id)}


@router.post("/tables/{table_id}/fields", status_code=201)
def create_field(
    *,
    table_id: TableId,
    body: schemas.FieldCreate,
    dry_run: bool = Query(False, description="Validate and answer as if created, then roll back"),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    out = service.create_field(
        session, principal=principal, table_id=table_id, name=body.name, type=body.type, options=body.options,
        description=body.description,
    )  # fmt: skip
    return service.finish_dry_run(session, out) if dry_run else out


@router.get("/fields/{field_id}")
def get_field(
    field_id: FieldId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    return service.get_field(session, principal=principal, field_id=field_id)


@router.patch("/fields/{field_id}")
def update_field(
    *,
    field_id: FieldId,
    body: schemas.FieldUpdate,
    dry_run: bool = Query(False, description="Answer with the conversion report, then roll back"),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    out = service.update_field(
        session, principal=principal, field_id=field_id, name=body.name, type=body.type, options=body.options,
        description=body.description,
    )  # fmt: skip
    return service.finish_dry_run(session, out) if dry_run else out


@router.delete("/fields/{field_id}")
def delete_field(
    field_id: FieldId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    return service.delete_field(session, principal=principal, field_id=field_id)
