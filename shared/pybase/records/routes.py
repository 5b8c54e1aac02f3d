"""HTTP routes of the records API (thin: parse, call the service, shape the response)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy.orm import Session

from pybase import jsontext
from pybase.access.roles import Principal
from pybase.api import COMMON, CurrentPrincipal, DbSession, RecordId, TableId, errors
from pybase.errors import BadRequest, ValidationFailed
from pybase.events.service import latest_table_event_id
from pybase.records import schemas, service

router = APIRouter(tags=["records"], responses=errors(*COMMON, 400, 409, 412))


def _field_key(value: str) -> str:
    if value not in ("id", "name"):
        raise ValidationFailed("field_key is id or name.")
    return value


@router.get("/tables/{table_id}/records")
def list_records(
    *,
    table_id: TableId,
    filter: str | None = None,
    sort: str | None = None,
    fields: str | None = None,
    page_size: int = Query(100),
    cursor: str | None = None,
    offset: int | None = Query(None, description="Skip this many rows (a jump to a far position); not with cursor."),
    count: bool = False,
    view: str | None = None,
    field_key: str = "id",
    group_counts: bool = Query(
        False, description="With a view that groups: every group of its first grouping level, in order, with counts."
    ),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    tree = None
    if filter:
        try:
            tree = jsontext.loads(filter)
        except ValueError:
            raise BadRequest("filter is not valid JSON.") from None
    # Read before the rows: a change committed after this point is replayed to a client that
    # subscribes with it as last_event_id; one committed before is already in the rows.
    event_id = latest_table_event_id(session, table_id)
    page = service.list_records(
        session,
        principal=principal,
        table_id=table_id,
        filter=tree,
        sort=sort,
        fields=[f for f in fields.split(",") if f] if fields else None,
        page_size=page_size,
        cursor=cursor,
        offset=offset,
        count=count,
        view_id=view,
        field_key=_field_key(field_key),
        group_counts=group_counts,
    )
    page["event_id"] = event_id
    return page


@router.post("/tables/{table_id}/records/query")
def query_records(
    table_id: TableId,
    body: schemas.QueryBody,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return service.list_records(
        session,
        principal=principal,
        table_id=table_id,
        filter=body.filter,
        sort=body.sort,
        fields=body.fields,
        page_size=body.page_size,
        cursor=body.cursor,
        offset=body.offset,
        count=body.count,
        view_id=body.view,
        field_key=_field_key(body.field_key),
    )


@router.post("/tables/{table_id}/records", status_code=201)
def create_records(
    *,
    table_id: TableId,
    body: schemas.CreateRecords,
    response: Response,
    field_key: str = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    if (body.fields is None) == (body.records is None):
        raise ValidationFailed("Send either fields (one record) or records (a batch).")
    batch = body.records if body.records is not None else [{"fields": body.fields}]
    created = service.create_records(
        session, principal=principal, table_id=table_id, records=batch, typecast=body.typecast,
        field_key=_field_key(field_key),
    )  # fmt: skip
    if body.fields is not None:
        response.headers["ETag"] = service.etag(created[0]["version"])
        return created[0]
    return {"records": created}


def _update_many(table_id: str, body: schemas.UpdateMany, replace: bool, principal: Principal, session: Session):
    records = service.update_records(
        session, principal=principal, table_id=table_id, records=body.records, replace=replace, typecast=body.typecast
    )
    return {"records": records}


@router.patch("/tables/{table_id}/records")
def patch_records(
    table_id: TableId,
    body: schemas.UpdateMany,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return _update_many(table_id, body, False, principal, session)


@router.put("/tables/{table_id}/records")
def put_records(
    table_id: TableId,
    body: schemas.UpdateMany,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return _update_many(table_id, body, True, principal, session)


@router.delete("/tables/{table_id}/records")
def delete_records(
    *,
    table_id: TableId,
    body: schemas.DeleteMany | None = None,
    records: list[str] | None = Query(None),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    ids = body.records if body is not None else records
    if not ids:
        raise ValidationFailed("Name the records to delete (body {records: [...]} or ?records=).")
    deleted = service.delete_records(session, principal=principal, table_id=table_id, record_ids=ids)
    return {"deleted": deleted}


@router.post("/tables/{table_id}/records/upsert")
def upsert_records(
    table_id: TableId,
    body: schemas.Upsert,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return service.upsert_records(
        session, principal=principal, table_id=table_id, records=body.records, merge_on=body.merge_on,
        typecast=body.typecast,
    )  # fmt: skip


@router.get("/tables/{table_id}/records/{record_id}")
def get_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    response: Response,
    field_key: str = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    record = service.get_record(
        session, principal=principal, table_id=table_id, record_id=record_id, field_key=_field_key(field_key)
    )
    response.headers["ETag"] = service.etag(record["version"])
    return record


def _update_one(
    table_id: str, record_id: str, body: schemas.UpdateOne, replace: bool, if_match: str | None,
    response: Response, principal: Principal, session: Session,
) -> dict[str, Any]:  # fmt: skip
    record = service.update_record(
        session, principal=principal, table_id=table_id, record_id=record_id, fields=body.fields,
        replace=replace, typecast=body.typecast, if_match=service.parse_if_match(if_match),
    )  # fmt: skip
    response.headers["ETag"] = service.etag(record["version"])
    return record


@router.patch("/tables/{table_id}/records/{record_id}")
def patch_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    body: schemas.UpdateOne,
    response: Response,
    if_match: str | None = Header(None),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return _update_one(table_id, record_id, body, False, if_match, response, principal, session)


@router.put("/tables/{table_id}/records/{record_id}")
def put_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    body: schemas.UpdateOne,
    response: Response,
    if_match: str | None = Header(None),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return _update_one(table_id, record_id, body, True, if_match, response, principal, session)


@router.delete("/tables/{table_id}/records/{record_id}")
def delete_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    if_match: str | None = Header(None),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    service.delete_records(
        session, principal=principal, table_id=table_id, record_ids=[record_id],
        if_match=service.parse_if_match(if_match),
    )  # fmt: skip
    return {"deleted": [record_id]}


@router.get("/tables/{table_id}/records/{record_id}/history")
def record_history(
    *,
    table_id: TableId,
    record_id: RecordId,
    limit: int = 100,
    before: int | None = None,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    return service.record_history(
        session, principal=principal, table_id=table_id, record_id=record_id, limit=limit, before=before
    )
