"""Routes of the Airtable-compatible Web API under /v0 (thin: parse Airtable's parameters, call the
service). The meta routes come first so `/v0/meta/...` never reads as a base called "meta"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from pybase import jsontext
from pybase.access.roles import Principal
from pybase.airtable import comments as record_comments
from pybase.airtable import ratelimit, schemas, service, uploads
from pybase.airtable.errors import invalid_request
from pybase.api import BaseId, CommentId, CurrentPrincipal, DbSession, FieldId, RecordId, TableId
from pybase.apidocs_airtable import (
    AIRTABLE_COMMON,
    DELETE_PARAMETERS,
    LIST_PARAMETERS,
    RECORD_PARAMETERS,
    airtable_answer,
    airtable_errors,
)
from pybase.apidocs_airtable import AirtableBases as Bases
from pybase.apidocs_airtable import AirtableCollaborators as Collaborators
from pybase.apidocs_airtable import AirtableComment as Comment
from pybase.apidocs_airtable import AirtableComments as Comments
from pybase.apidocs_airtable import AirtableDeleted as Deleted
from pybase.apidocs_airtable import AirtableDeletedRecords as DeletedRecords
from pybase.apidocs_airtable import AirtableField as FieldSchema
from pybase.apidocs_airtable import AirtableRecord as Record
from pybase.apidocs_airtable import AirtableRecordPage as RecordPage
from pybase.apidocs_airtable import AirtableRecords as Records
from pybase.apidocs_airtable import AirtableTable as TableSchema
from pybase.apidocs_airtable import AirtableTables as Tables
from pybase.apidocs_airtable import AirtableUpsert as Upserted
from pybase.apidocs_airtable import AirtableWhoami as Whoami

router = APIRouter(prefix="/v0", tags=["airtable"], responses=airtable_errors(*AIRTABLE_COMMON))

# A table is named by its ID or its name, as in Airtable.
TableRef = Annotated[str, Path(description="The table's ID (`tbl…`) or its name (URL-encoded).")]

_SORT_KEY = re.compile(r"^sort\[(\d{1,2})\]\[(field|direction)\]$")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def no_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL characters: refuse them in the path and query up front."""
    if "\x00" in request.url.path or any(_has_nul(v) for _, v in request.query_params.multi_items()):
        raise invalid_request("Invalid request: NUL characters are not allowed")


router.dependencies.append(Depends(no_nul))


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = jsontext.loads(raw)
    except ValueError:
        raise invalid_request("Invalid request: the body is not valid JSON", "INVALID_REQUEST_BODY") from None
    if _has_nul(body):
        raise invalid_request("Invalid request: NUL characters are not allowed")
    if not isinstance(body, dict):
        raise invalid_request("Invalid request: the body must be a JSON object", "INVALID_REQUEST_BODY")
    return body


def limited(base_id: BaseId, principal: CurrentPrincipal) -> Principal:
    """The caller, once the per-base rate limit lets the request through."""
    ratelimit.check(principal, base_id)
    return principal


RateLimitedPrincipal = Annotated[Principal, Depends(limited)]


def _query_params(request: Request) -> service.ListParams:
    params = service.ListParams()
    sorts: dict[int, dict[str, str]] = {}
    fields: list[str] | None = None
    for key, value in request.query_params.multi_items():
        match = _SORT_KEY.match(key)
        if match:
            sorts.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif key in ("fields[]", "fields"):
            fields = [*(fields or []), value]
        elif key == "filterByFormula":
            params.filter_by_formula = value
        elif key == "view":
            params.view = value
        elif key == "pageSize":
            params.page_size = value  # type: ignore[assignment]  (checked by the service)
        elif key == "maxRecords":
            params.max_records = value  # type: ignore[assignment]
        elif key == "offset":
            params.offset = value
        elif key == "cellFormat":
            params.cell_format = value
        elif key == "timeZone":
            params.time_zone = value
        elif key == "userLocale":
            params.user_locale = value
        elif key == "returnFieldsByFieldId":
            params.by_id = _flag(value)
    params.fields = fields
    if sorts:
        params.sort = [sorts[i] for i in sorted(sorts)]
    return params


def _body_params(body: dict[str, Any]) -> service.ListParams:
    try:
        parsed = schemas.ListBody.model_validate(body)
    except ValueError as exc:
        raise invalid_request(f"Invalid request: {str(exc).splitlines()[0]}") from None
    return service.ListParams(
        filter_by_formula=parsed.filterByFormula, sort=parsed.sort, fields=parsed.fields, view=parsed.view,
        page_size=parsed.pageSize, max_records=parsed.maxRecords, offset=parsed.offset,
        cell_format=parsed.cellFormat, time_zone=parsed.timeZone, user_locale=parsed.userLocale,
        by_id=parsed.returnFieldsByFieldId,
    )  # fmt: skip


# --- meta ---------------------------------------------------------------------------------------


@router.get("/meta/whoami", **airtable_answer(Whoami, "The user and the token's scopes."))
def whoami(principal: CurrentPrincipal, session: DbSession) -> dict[str, Any]:
    """The user the token belongs to, with the token's scopes (`data.records:read`, `schema.bases:write`...)."""
    return service.whoami(session, principal=principal)


@router.get("/meta/bases", **airtable_answer(Bases, "The bases you can reach."))
def list_bases(
    principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """Every base the token can reach, with its permission level (`read`, `comment`, `edit`, `create`)."""
    return service.list_bases(session, principal=principal)


@router.get("/meta/bases/{base_id}", **airtable_answer(Collaborators, "The base and its collaborators."))
def base_collaborators(base_id: BaseId, principal: RateLimitedPrincipal, session: DbSession) -> dict[str, Any]:
    """The base with its collaborators (the `include` parameters are accepted; everything is returned)."""
    return service.base_collaborators(session, principal=principal, base_id=base_id)


@router.get("/meta/bases/{base_id}/tables", **airtable_answer(Tables, "The base's tables with fields and views."))
def base_schema(base_id: BaseId, principal: RateLimitedPrincipal, session: DbSession) -> dict[str, Any]:
    """The base's schema: every table with its fields (types and options in Airtable's terms) and views."""
    return service.base_schema(session, principal=principal, base_id=base_id)


@router.post("/meta/bases/{base_id}/tables", **airtable_answer(TableSchema, "The new table."))
def create_table(
    base_id: BaseId,
    body: schemas.TableIn,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Create a table: `{name, description, fields: [{name, type, options}]}`, the first field primary."""
    return service.create_table(session, principal=principal, base_id=base_id, body=body)


@router.patch("/meta/bases/{base_id}/tables/{table_id}", **airtable_answer(TableSchema, "The table."))
def update_table(
    base_id: BaseId,
    table_id: TableId,
    body: schemas.NamePatch,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Rename a table or change its description: `{name, description}`."""
    return service.update_table(session, principal=principal, base_id=base_id, table_id=table_id, body=body)


@router.post(
    "/meta/bases/{base_id}/tables/{table_id}/fields", **airtable_answer(FieldSchema, "The new field.")
)
def create_field(
    base_id: BaseId,
    table_id: TableId,
    body: schemas.FieldIn,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Add a field: `{name, type, description, options}` with an Airtable field type and its options."""
    return service.create_field(session, principal=principal, base_id=base_id, table_id=table_id, body=body)


@router.patch(
    "/meta/bases/{base_id}/tables/{table_id}/fields/{field_id}", **airtable_answer(FieldSchema, "The field.")
)
def update_field(
    base_id: BaseId,
    table_id: TableId,
    field_id: FieldId,
    body: schemas.NamePatch,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Rename a field or change its description: `{name, description}`."""
    return service.update_field(
        session, principal=principal, base_id=base_id, table_id=table_id, field_id=field_id, body=body
    )


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class At:
    """Where a record route works: its session, and the caller and place every service call takes
    (`principal`, `base_id`, `table`, and below a record `record_id`, below a comment `comment_id`)."""

    session: Session
    scope: dict[str, Any]


# One dependency per path depth, each declaring every path parameter in path order, so the OpenAPI
# parameters stay as they were when each route declared them itself. Async: they only assemble, so no
# thread hop.
async def table_at(base_id: BaseId, table: TableRef, principal: RateLimitedPrincipal, session: DbSession) -> At:
    return At(session, {"principal": principal, "base_id": base_id, "table": table})


async def record_at(
    base_id: BaseId,
    table: TableRef,
    record_id: RecordId,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> At:
    return At(session, {"principal": principal, "base_id": base_id, "table": table, "record_id": record_id})


async def comment_at(
    base_id: BaseId,
    table: TableRef,
    record_id: RecordId,
    comment_id: CommentId,
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> At:
    scope = {"principal": principal, "base_id": base_id, "table": table, "record_id": record_id}
    return At(session, {**scope, "comment_id": comment_id})


TableAt = Annotated[At, Depends(table_at)]
RecordAt = Annotated[At, Depends(record_at)]
CommentAt = Annotated[At, Depends(comment_at)]


@router.get(
    "/{base_id}/{table}",
    openapi_extra={"parameters": LIST_PARAMETERS},
    **airtable_answer(RecordPage, "A page of records, with `offset` while more follow."),
)
def list_records(request: Request, at: TableAt) -> dict[str, Any]:
    """List a table's records, 100 a page at most: filtered by formula, sorted, limited to some fields or seen through
    a view. Pages continue with `offset`."""
    return service.list_records(at.session, **at.scope, params=_query_params(request))


@router.post(
    "/{base_id}/{table}/listRecords",
    **airtable_answer(RecordPage, "A page of records, with `offset` while more follow."),
)
async def list_records_post(request: Request, at: TableAt) -> dict[str, Any]:
    """The records listing with its parameters in a JSON body (`filterByFormula`, `sort`, `fields`, `view`, `pageSize`,
    `offset`...), for formulas too long for a URL."""
    params = _body_params(await _json_body(request))
    query = _query_params(request)  # timeZone/userLocale may stay in the query string
    params.time_zone = params.time_zone or query.time_zone
    params.user_locale = params.user_locale or query.user_locale
    return service.list_records(at.session, **at.scope, params=params)


@router.post(
    "/{base_id}/{table}",
    **airtable_answer(Records | Record, "The created records, or the record when one was sent as `fields`."),
)
async def create_records(request: Request, at: TableAt) -> dict[str, Any]:
    """Create up to 10 records (`{records: [{fields}]}`) or one (`{fields}`), keyed by field name or ID; `typecast`
    converts text."""
    return service.create_records(at.session, **at.scope, body=await _json_body(request))


@router.patch(
    "/{base_id}/{table}",
    **airtable_answer(Records | Upserted, "The updated records (with `performUpsert`: also which were created)."),
)
async def patch_records(request: Request, at: TableAt) -> dict[str, Any]:
    """Update up to 10 records (`{records: [{id, fields}]}`); cells not sent keep their values. With `performUpsert:
    {fieldsToMergeOn}` records are matched by those fields and created when none matches."""
    return service.update_records(at.session, **at.scope, body=await _json_body(request), replace=False)


@router.put(
    "/{base_id}/{table}",
    **airtable_answer(Records | Upserted, "The replaced records (with `performUpsert`: also which were created)."),
)
async def put_records(request: Request, at: TableAt) -> dict[str, Any]:
    """Replace up to 10 records (`{records: [{id, fields}]}`): cells not sent are cleared. `performUpsert` as for
    PATCH."""
    return service.update_records(at.session, **at.scope, body=await _json_body(request), replace=True)


@router.delete(
    "/{base_id}/{table}",
    openapi_extra={"parameters": DELETE_PARAMETERS},
    **airtable_answer(DeletedRecords, "The deleted records."),
)
def delete_records(request: Request, at: TableAt) -> dict[str, Any]:
    """Delete up to 10 records named by `records[]` parameters."""
    ids = [v for k, v in request.query_params.multi_items() if k in ("records[]", "records")]
    return {"records": service.delete_records(at.session, **at.scope, record_ids=ids)}


@router.get("/{base_id}/{table}/{record_id}/comments", **airtable_answer(Comments, "A page of comments."))
def list_comments(
    at: RecordAt,
    pageSize: str | None = Query(None, description="Comments per page, 1 to 100."),
    offset: str | None = Query(None, description="The previous page's `offset`, for older comments."),
) -> dict[str, Any]:
    """A record's comments, newest first, `pageSize` (1-100) at a time; `offset` continues."""
    return record_comments.list_comments(at.session, **at.scope, page_size=pageSize, offset=offset)


@router.post("/{base_id}/{table}/{record_id}/comments", **airtable_answer(Comment, "The new comment."))
async def create_comment(request: Request, at: RecordAt) -> dict[str, Any]:
    """Comment on a record: `{"text"}`, mentions written `@[usr…]` (commenters and up)."""
    return record_comments.create_comment(at.session, **at.scope, body=await _json_body(request))


@router.patch(
    "/{base_id}/{table}/{record_id}/comments/{comment_id}", **airtable_answer(Comment, "The comment as it is now.")
)
async def update_comment(request: Request, at: CommentAt) -> dict[str, Any]:
    """Edit one's own comment: `{"text"}`."""
    return record_comments.update_comment(at.session, **at.scope, body=await _json_body(request))


@router.delete(
    "/{base_id}/{table}/{record_id}/comments/{comment_id}", **airtable_answer(Deleted, "The comment is deleted.")
)
def delete_comment(at: CommentAt) -> dict[str, Any]:
    """Delete a comment (its author, or an admin)."""
    return record_comments.delete_comment(at.session, **at.scope)


@router.post(
    "/{base_id}/{record_id}/{field}/uploadAttachment",
    **airtable_answer(Record, "The record's ID and created time, and the field's attachments keyed by field ID."),
)
async def upload_attachment(
    request: Request,
    base_id: BaseId,
    record_id: RecordId,
    field: Annotated[str, Path(description="The attachment field's ID or name.")],
    principal: RateLimitedPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Append a small file (`{contentType, file: base64, filename}`, at most 5 MB) to a record's
    attachment field. Airtable serves this on content.airtable.com: point clients at this host."""
    body = await _json_body(request)
    return uploads.upload_attachment(
        session, principal=principal, base_id=base_id, record_id=record_id, field=field, body=body
    )


@router.get(
    "/{base_id}/{table}/{record_id}",
    openapi_extra={"parameters": RECORD_PARAMETERS},
    **airtable_answer(Record, "The record."),
)
def get_record(request: Request, at: RecordAt) -> dict[str, Any]:
    """One record, fields keyed by name (by ID with `returnFieldsByFieldId=true`); empty cells are left out."""
    params = _query_params(request)
    return service.get_record(at.session, **at.scope, by_id=params.by_id, params=params)


@router.patch("/{base_id}/{table}/{record_id}", **airtable_answer(Record, "The record as it is now."))
async def patch_record(request: Request, at: RecordAt) -> dict[str, Any]:
    """Update one record: `{fields, typecast}`; cells not sent keep their values."""
    return service.update_record(at.session, **at.scope, body=await _json_body(request), replace=False)


@router.put("/{base_id}/{table}/{record_id}", **airtable_answer(Record, "The record as it is now."))
async def put_record(request: Request, at: RecordAt) -> dict[str, Any]:
    """Replace one record: `{fields, typecast}`; editable cells not sent are cleared."""
    return service.update_record(at.session, **at.scope, body=await _json_body(request), replace=True)


@router.delete("/{base_id}/{table}/{record_id}", **airtable_answer(Deleted, "The record is deleted."))
def delete_record(at: RecordAt) -> dict[str, Any]:
    """Delete one record (it goes to PyBase's trash, restorable there)."""
    scope = dict(at.scope)
    record_id = scope.pop("record_id")
    service.delete_records(at.session, **scope, record_ids=[record_id])
    return {"id": record_id, "deleted": True}
