"""HTTP routes for fields: /tables/{tableId}/fields and /fields/{fieldId} (mounted by the tables function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from pybase.api import COMMON, CurrentPrincipal, DbSession, Deleted, FieldId, TableId, answers, errors
from pybase.fields import schemas, service

router = APIRouter(tags=["fields"], responses=errors(*COMMON, 409))


@router.get("/field-types", **answers(schemas.FieldTypes, "The field types."))
def list_field_types() -> dict[str, Any]:
    """Every field type with its options and the filter operators it supports."""
    return service.describe_field_types()


@router.get("/tables/{table_id}/fields", **answers(schemas.FieldList, "The table's fields."))
def list_fields(
    table_id: TableId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """The fields of a table, in their order, with type and options."""
    return {"fields": service.list_fields(session, principal=principal, table_id=table_id)}


@router.post(
    "/tables/{table_id}/fields", status_code=201, **answers(schemas.FieldOut, "The new field.", status=201)
)
def create_field(
    *,
    table_id: TableId,
    body: schemas.FieldCreate,
    dry_run: bool = Query(False, description="Validate and answer as if created, then roll back"),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Add a field to a table (admins); its options are checked against its type."""
    out = service.create_field(
        session, principal=principal, table_id=table_id, name=body.name, type=body.type, options=body.options,
        description=body.description,
    )  # fmt: skip
    return service.finish_dry_run(session, out) if dry_run else out


@router.get("/fields/{field_id}", **answers(schemas.FieldOut, "The field."))
def get_field(
    field_id: FieldId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """One field, with its type and options."""
    return service.get_field(session, principal=principal, field_id=field_id)


@router.patch("/fields/{field_id}", **answers(schemas.FieldOut, "The field as it is now."))
def update_field(
    *,
    field_id: FieldId,
    body: schemas.FieldUpdate,
    dry_run: bool = Query(False, description="Answer with the conversion report, then roll back"),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Rename a field or change its type or options; existing values are converted where possible."""
    out = service.update_field(
        session, principal=principal, field_id=field_id, name=body.name, type=body.type, options=body.options,
        description=body.description,
    )  # fmt: skip
    return service.finish_dry_run(session, out) if dry_run else out


@router.delete("/fields/{field_id}", **answers(Deleted, "The field is in the trash."))
def delete_field(
    field_id: FieldId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """Move a field to the trash with its values (not the primary field); restorable from the trash."""
    return service.delete_field(session, principal=principal, field_id=field_id)
