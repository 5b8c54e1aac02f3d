"""What route modules share: dependency aliases, path parameters and documented answers.

One definition of each, so a route's signature says `session: DbSession, principal: CurrentPrincipal,
table_id: TableId` and the OpenAPI document describes the parameter and its errors the same way on
every route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth.deps import get_optional_principal, get_principal
from pybase.docanswers import DocumentedAnswer
from pybase.sessions import get_session

# --- dependencies -----------------------------------------------------------------------------

DbSession = Annotated[Session, Depends(get_session)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


# --- path parameters --------------------------------------------------------------------------


def _id_param(what: str, prefix: str) -> Any:
    return Path(description=f"ID of the {what} (`{prefix}…`).", examples=[f"{prefix}AbCdEfGh1234567"])


# The URL names the parameter as the route's Python parameter is named.
WorkspaceId = Annotated[str, _id_param("workspace", "wsp")]
BaseId = Annotated[str, _id_param("base", "app")]
TableId = Annotated[str, _id_param("table", "tbl")]
FieldId = Annotated[str, _id_param("field", "fld")]
ViewId = Annotated[str, _id_param("view", "viw")]
RecordId = Annotated[str, _id_param("record", "rec")]
CommentId = Annotated[str, _id_param("comment", "com")]
UserId = Annotated[str, _id_param("user", "usr")]
JobId = Annotated[str, _id_param("extraction job", "job")]
AttachmentId = Annotated[str, _id_param("attachment", "att")]
ImportId = Annotated[str, Path(description="ID of the CSV import, as its start answered.")]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The record version you last read (its `ETag`, e.g. `"3"`): the write is refused with 412 '
        "if the record changed since.",
    ),
]


# --- error answers ----------------------------------------------------------------------------


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`, `validation_failed`, `conflict`.")
    message: str = Field(description="What went wrong, for people.")
    details: Any = Field(
        None,
        description="Where it went wrong when known: the field, the record index of a batch, validation errors "
        "(`[{loc, message, type}]`).",
    )


class ErrorResponse(BaseModel):
    """Every error of the native API."""

    error: ErrorInfo


_STATUS_TEXT = {
    400: "Malformed request (e.g. a filter that is not JSON).",
    401: "No credential, or an invalid or expired one (`authentication_required`, `invalid_token`).",
    403: "The credential cannot do this: role too low, read-only token, or a token limited to other bases.",
    404: "Not found, or not visible to you (objects of workspaces you cannot see answer 404).",
    409: "Conflicts with the current state (e.g. a duplicate name).",
    412: "`If-Match` names an older version of the record (`precondition_failed`).",
    413: "The request or file is too large.",
    415: "Unsupported content type.",
    422: "Invalid input: a value, field, filter or sort that does not fit (`validation_failed` with details).",
    429: "Too many requests: wait `Retry-After` seconds.",
    503: "The database cannot be reached right now (`unavailable`, with `Retry-After`).",
}

# What any authenticated route can answer besides its own errors.
COMMON = (401, 403, 404, 422, 503)
PUBLIC = (422, 503)


def errors(*statuses: int, model: type[BaseModel] = ErrorResponse) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error statuses a route (or router) can answer."""
    return {status: DocumentedAnswer(model, _STATUS_TEXT[status]) for status in statuses}


class Deleted(BaseModel):
    """The answer of a delete that names what it deleted."""

    id: str = Field(description="ID of what was deleted.")
    deleted: bool = Field(description="Always true.")


def answers(model: Any, description: str, *statuses: int, status: int = 200) -> dict[str, Any]:
    """Decorator keywords documenting a route's success answer by a model, plus its own error statuses
    (the router adds the common ones). The answer is documented, not re-validated through the model:
    records and batches are built as plain dicts. At run time the answer goes out as `dict[str, Any]`,
    serialized by pydantic: a 100-record page takes ~0.24 ms so, ~0.40 ms validated through the model,
    and ~19 ms with no response model at all (FastAPI's jsonable_encoder). `pybase.apidocs` drops the
    plain object that FastAPI merges into the documented schema."""
    return {
        "response_model": dict[str, Any],
        "responses": {status: DocumentedAnswer(model, description), **errors(*statuses)},
    }
