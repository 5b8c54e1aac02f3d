"""HTTP routes of the records API (thin: parse, call the service, shape the response)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel
from pydantic import Field as ModelField
from sqlalchemy.orm import Session

from pybase import jsontext
from pybase.access.roles import Principal
from pybase.api import COMMON, CurrentPrincipal, DbSession, RecordId, TableId, answers, errors
from pybase.errors import BadRequest, ValidationFailed
from pybase.records import schemas, service

router = APIRouter(tags=["records"], responses=errors(*COMMON, 400, 409, 412))

# `field_key` on every route that reads or writes cells: how request and answer key the fields.
FieldKey = Annotated[
    str,
    Query(
        description="`id` (default): the answer's `fields` are keyed by field ID. `name`: keyed by field name. "
        "Writes accept field IDs or names either way; errors name a field as the request keyed it.",
        examples=["name"],
    ),
]
# Named `if-match` in the document (the web app's client sends it so); headers are case-insensitive.
IfMatch = Annotated[
    str | None,
    Header(
        description='The record version you last read (its `ETag`, e.g. `"3"`): the write is refused with 412 '
        "if the record changed since.",
    ),
]
VIEW_DOC = "A view's ID (`viw…`) or name: its filters, sorts and hidden fields apply (before `filter` and `sort`)."


def _field_key(value: str) -> str:
    if value not in ("id", "name"):
        raise ValidationFailed("field_key is id or name.")
    return value


@router.get(
    "/tables/{table_id}/records",
    summary="List records",
    **answers(schemas.RecordPage, "A page of records, with `next_cursor` while more follow."),
)
def list_records(
    *,
    table_id: TableId,
    filter: str | None = Query(
        None,
        description=schemas.FILTER_DOC + "\n\nURL-encode the JSON; `POST …/records/query` takes it as a body.",
        examples=[json.dumps(schemas.FILTER_EXAMPLE)],
    ),
    sort: str | None = Query(None, description=schemas.SORT_DOC, examples=["-Due,Name"]),
    fields: str | None = Query(
        None, description="Comma-separated field IDs or names: only these fields in each record.", examples=["Name,Qty"]
    ),
    page_size: int = Query(100, description="Records per page, 1 to 1,000."),
    cursor: str | None = Query(None, description="The previous page's `next_cursor`, for the next page."),
    offset: int | None = Query(None, description="Skip this many rows (a jump to a far position); not with cursor."),
    count: bool = Query(False, description="Also answer `total`, the number of records matching the filter."),
    view: str | None = Query(None, description=VIEW_DOC),
    field_key: FieldKey = "id",
    group_counts: bool = Query(
        False, description="With a view that groups: every group of its first grouping level, in order, with counts."
    ),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """A page of a table's records: filtered, sorted, limited to some fields, optionally through a view.
    Pages continue with `cursor` (stable under concurrent writes) or jump with `offset`."""
    tree = None
    if filter:
        try:
            tree = jsontext.loads(filter)
        except ValueError:
            raise BadRequest("filter is not valid JSON.") from None
    return service.list_records(
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
        with_event_id=True,
    )


class RecordCount(BaseModel):
    count: int = ModelField(description="How many records match.", examples=[1234])


# Before /records/{record_id}: "count" is not a record ID.
@router.get(
    "/tables/{table_id}/records/count",
    summary="Count records",
    **answers(RecordCount, "How many records the listing with the same `filter` and `view` holds."),
)
def count_records(
    *,
    table_id: TableId,
    filter: str | None = Query(None, description="The listing's filter (JSON, URL-encoded)."),
    view: str | None = Query(None, description="A view's ID (`viw…`) or name: its filters apply too."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, int]:
    """The number of records a listing with these parameters holds, without reading any."""
    tree = None
    if filter:
        try:
            tree = jsontext.loads(filter)
        except ValueError:
            raise BadRequest("filter is not valid JSON.") from None
    return {"count": service.count_records(session, principal=principal, table_id=table_id, filter=tree, view_id=view)}


@router.post(
    "/tables/{table_id}/records/query",
    summary="Query records",
    **answers(schemas.RecordPage, "A page of records, with `next_cursor` while more follow."),
)
def query_records(
    table_id: TableId,
    body: schemas.QueryBody,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """The records listing with its parameters in a JSON body: for filter trees too long for a URL."""
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


@router.post(
    "/tables/{table_id}/records",
    status_code=201,
    summary="Create records",
    **answers(
        schemas.RecordBatch | schemas.RecordOut,
        "The created records (`{records}`), or the record itself when one was sent as `fields`.",
        status=201,
    ),
)
def create_records(
    *,
    table_id: TableId,
    body: schemas.CreateRecords,
    response: Response,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Create one record (`{"fields": {...}}`, answered with its `ETag`) or a batch of up to 1,000
    (`{"records": [{"fields": {...}}]}`), all or none. `typecast` converts text to the fields' types."""
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


def _update_many(
    table_id: str, body: schemas.UpdateMany, replace: bool, field_key: str, principal: Principal, session: Session
) -> dict[str, Any]:
    records = service.update_records(
        session, principal=principal, table_id=table_id, records=body.records, replace=replace, typecast=body.typecast,
        field_key=_field_key(field_key),
    )  # fmt: skip
    return {"records": records}


@router.patch(
    "/tables/{table_id}/records", summary="Update records", **answers(schemas.RecordBatch, "The updated records.")
)
def patch_records(
    *,
    table_id: TableId,
    body: schemas.UpdateMany,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Change some cells of up to 1,000 records (`{"records": [{"id", "fields"}]}`), all or none; cells not
    sent keep their values. A record may carry `version` to refuse the batch if it changed since."""
    return _update_many(table_id, body, False, field_key, principal, session)


@router.put(
    "/tables/{table_id}/records", summary="Replace records", **answers(schemas.RecordBatch, "The replaced records.")
)
def put_records(
    *,
    table_id: TableId,
    body: schemas.UpdateMany,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Replace up to 1,000 records (`{"records": [{"id", "fields"}]}`), all or none: editable cells not
    sent are cleared."""
    return _update_many(table_id, body, True, field_key, principal, session)


@router.delete(
    "/tables/{table_id}/records",
    summary="Delete records",
    **answers(schemas.DeletedRecords, "The IDs of the records moved to the trash."),
)
def delete_records(
    *,
    table_id: TableId,
    body: schemas.DeleteMany | None = None,
    records: list[str] | None = Query(
        None, description="Record IDs to delete (repeat the parameter), when no body is sent.", examples=[["recA"]]
    ),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Move up to 1,000 records to the trash (restorable from it), all or none: IDs in the body
    `{"records": [...]}` or as `?records=` parameters."""
    ids = body.records if body is not None else records
    if not ids:
        raise ValidationFailed("Name the records to delete (body {records: [...]} or ?records=).")
    deleted = service.delete_records(session, principal=principal, table_id=table_id, record_ids=ids)
    return {"deleted": deleted}


@router.post(
    "/tables/{table_id}/records/upsert",
    summary="Upsert records",
    **answers(schemas.UpsertResult, "Every record of the request, and which were created or updated."),
)
def upsert_records(
    *,
    table_id: TableId,
    body: schemas.Upsert,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Update the records whose `merge_on` fields match, create the others, all or none (up to 1,000)."""
    return service.upsert_records(
        session, principal=principal, table_id=table_id, records=body.records, merge_on=body.merge_on,
        typecast=body.typecast, field_key=_field_key(field_key),
    )  # fmt: skip


@router.get(
    "/tables/{table_id}/records/{record_id}",
    summary="Get a record",
    **answers(schemas.RecordOut, "The record, with its version as `ETag`."),
)
def get_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    response: Response,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """One record with every field readable to you; the `ETag` header is its version for `If-Match`."""
    record = service.get_record(
        session, principal=principal, table_id=table_id, record_id=record_id, field_key=_field_key(field_key)
    )
    response.headers["ETag"] = service.etag(record["version"])
    return record


def _update_one(
    table_id: str, record_id: str, body: schemas.UpdateOne, replace: bool, if_match: str | None,
    field_key: str, response: Response, principal: Principal, session: Session,
) -> dict[str, Any]:  # fmt: skip
    record = service.update_record(
        session, principal=principal, table_id=table_id, record_id=record_id, fields=body.fields,
        replace=replace, typecast=body.typecast, if_match=service.parse_if_match(if_match),
        field_key=_field_key(field_key),
    )  # fmt: skip
    response.headers["ETag"] = service.etag(record["version"])
    return record


@router.patch(
    "/tables/{table_id}/records/{record_id}",
    summary="Update a record",
    **answers(schemas.RecordOut, "The record as it is now, with its new version as `ETag`."),
)
def patch_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    body: schemas.UpdateOne,
    response: Response,
    if_match: IfMatch = None,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Change some cells of one record; cells not sent keep their values. With `If-Match` the write is refused
    (412) when the record changed since you read it."""
    return _update_one(table_id, record_id, body, False, if_match, field_key, response, principal, session)


@router.put(
    "/tables/{table_id}/records/{record_id}",
    summary="Replace a record",
    **answers(schemas.RecordOut, "The record as it is now, with its new version as `ETag`."),
)
def put_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    body: schemas.UpdateOne,
    response: Response,
    if_match: IfMatch = None,
    field_key: FieldKey = "id",
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Replace one record's cells: editable cells not sent are cleared. `If-Match` as for PATCH."""
    return _update_one(table_id, record_id, body, True, if_match, field_key, response, principal, session)


@router.delete(
    "/tables/{table_id}/records/{record_id}",
    summary="Delete a record",
    **answers(schemas.DeletedRecords, "The record's ID, moved to the trash."),
)
def delete_record(
    *,
    table_id: TableId,
    record_id: RecordId,
    if_match: IfMatch = None,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Move one record to the trash (restorable from it); `If-Match` refuses it if the record changed."""
    service.delete_records(
        session, principal=principal, table_id=table_id, record_ids=[record_id],
        if_match=service.parse_if_match(if_match),
    )  # fmt: skip
    return {"deleted": [record_id]}


@router.get(
    "/tables/{table_id}/records/{record_id}/history",
    summary="A record's history",
    **answers(schemas.RecordHistory, "The record's changes, newest first."),
)
def record_history(
    *,
    table_id: TableId,
    record_id: RecordId,
    limit: int = Query(100, description="Entries per page, 1 to 100."),
    before: int | None = Query(None, description="The previous page's `next_before`, for older entries."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Who changed what and when: each entry names the fields changed with their old and new values."""
    return service.record_history(
        session, principal=principal, table_id=table_id, record_id=record_id, limit=limit, before=before
    )
