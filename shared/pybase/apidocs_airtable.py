"""Models of the /v0 (Airtable-compatible) answers, for the OpenAPI document only.

The /v0 routes build their answers as dicts in Airtable's own shapes (camelCase keys) and return them
as they are; these models describe those shapes so the document and generated clients are typed.
Every model allows extra keys: Airtable adds keys over time and clients are expected to ignore them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pybase.docanswers import DocumentedAnswer


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AirtableErrorInfo(BaseModel):
    type: str = Field(description="Airtable's error type, e.g. `INVALID_REQUEST_UNKNOWN`, `UNKNOWN_FIELD_NAME`.")
    message: str


class AirtableErrorResponse(BaseModel):
    """Every /v0 error: `{"error": {"type", "message"}}`, or `{"error": "NOT_FOUND"}` for an unknown record."""

    error: AirtableErrorInfo | str = Field(description="The error; a bare string such as `NOT_FOUND` in a few cases.")


class AirtableRecord(_Open):
    id: str = Field(description="Record ID (`rec…`).")
    createdTime: str = Field(description="ISO 8601, UTC.")
    fields: dict[str, Any] = Field(
        description="Cell values keyed by field name (by field ID with `returnFieldsByFieldId`); empty cells left out."
    )


class AirtableRecordPage(_Open):
    records: list[AirtableRecord]
    offset: str | None = Field(None, description="Pass as `offset` for the next page; absent on the last page.")


class AirtableRecords(_Open):
    records: list[AirtableRecord]


class AirtableUpsert(_Open):
    records: list[AirtableRecord]
    createdRecords: list[str] = Field(description="IDs of the records created.")
    updatedRecords: list[str] = Field(description="IDs of the records updated.")


class AirtableDeleted(_Open):
    id: str
    deleted: bool = Field(description="Always true.")


class AirtableDeletedRecords(_Open):
    records: list[AirtableDeleted]


class AirtableWhoami(_Open):
    id: str = Field(description="The user's ID.")
    scopes: list[str] = Field(description="What the token may do, e.g. `data.records:read`.")
    email: str | None = None


class AirtableBaseRef(_Open):
    id: str
    name: str
    permissionLevel: str = Field(description="`read`, `comment`, `edit` or `create`.")


class AirtableBases(_Open):
    bases: list[AirtableBaseRef]


class AirtableCollaborators(_Open):
    id: str
    name: str
    createdTime: str
    permissionLevel: str
    workspaceId: str
    individualCollaborators: dict[str, list[dict[str, Any]]] = Field(
        description="`baseCollaborators` (base grants) and `workspaceCollaborators` (workspace members)."
    )


class AirtableField(_Open):
    id: str
    name: str
    type: str = Field(description="Airtable's field type, e.g. `singleLineText`, `multipleRecordLinks`.")
    description: str | None = None
    options: dict[str, Any] | None = None


class AirtableViewRef(_Open):
    id: str
    name: str
    type: str


class AirtableTable(_Open):
    id: str
    name: str
    primaryFieldId: str
    description: str | None = None
    fields: list[AirtableField]
    views: list[AirtableViewRef]


class AirtableTables(_Open):
    tables: list[AirtableTable]


class AirtableComment(_Open):
    id: str
    author: dict[str, Any] | None = Field(None, description="`{id, email, name}` of the author.")
    text: str = Field(description="The text, mentions written `@[usr…]`.")
    createdTime: str
    lastUpdatedTime: str | None = None
    mentioned: dict[str, Any] = Field(description="The users mentioned, by user ID.")


class AirtableComments(_Open):
    comments: list[AirtableComment]
    offset: str | None = Field(None, description="Pass as `offset` for older comments.")


class AirtableWebhook(_Open):
    id: str
    areNotificationsEnabled: bool
    cursorForNextPayload: int
    isHookEnabled: bool
    notificationUrl: str | None = None
    expirationTime: str | None = None
    specification: dict[str, Any]


class AirtableWebhooks(_Open):
    webhooks: list[AirtableWebhook]


class AirtableWebhookCreated(_Open):
    id: str
    macSecretBase64: str = Field(description="The secret that signs notifications; shown only in this answer.")
    expirationTime: str | None = None


class AirtableExpiration(_Open):
    expirationTime: str | None = Field(None, description="When the webhook expires unless refreshed.")


class AirtablePayloads(_Open):
    cursor: int = Field(description="Pass as `cursor` for the next payloads.")
    mightHaveMore: bool
    payloads: list[dict[str, Any]]


class Empty(_Closed):
    """An empty JSON object `{}`."""


_STATUS_TEXT = {
    401: "No credential, or an invalid one (`AUTHENTICATION_REQUIRED`).",
    403: "Not permitted, or no such base or table (`INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND`: Airtable does not "
    "say which).",
    404: "No such record, comment or route (`{\"error\": \"NOT_FOUND\"}`).",
    413: "The request is too large (`REQUEST_TOO_LARGE`).",
    422: "Invalid input: `INVALID_REQUEST_UNKNOWN`, `UNKNOWN_FIELD_NAME`, `INVALID_VALUE_FOR_COLUMN`, "
    "`INVALID_FORMULA`…",
    429: "Too many requests a second on a base (`RATE_LIMIT_REACHED`): wait `Retry-After` seconds.",
    503: "The database cannot be reached right now (`SERVICE_UNAVAILABLE`, with `Retry-After`).",
}

# What every /v0 route can answer besides its success.
AIRTABLE_COMMON = (401, 403, 404, 413, 422, 429, 503)


def airtable_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for /v0 error statuses, in Airtable's error shape."""
    return {status: DocumentedAnswer(AirtableErrorResponse, _STATUS_TEXT[status]) for status in statuses}


def airtable_answer(model: Any, description: str) -> dict[str, Any]:
    """Decorator keywords documenting a /v0 success answer (documented, not re-validated; sent as a
    plain dict, see `pybase.api.answers`)."""
    return {"response_model": dict[str, Any], "responses": {200: DocumentedAnswer(model, description)}}


def _query(name: str, description: str, example: Any = None, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description,
                             "schema": schema or {"type": "string"}}  # fmt: skip
    if example is not None:
        param["example"] = example
    return param


# The listing's query parameters, read from the query string as Airtable spells them (`sort[0][field]`
# cannot be a Python parameter name), so declared for the document here.
LIST_PARAMETERS = [
    _query("fields[]", "Only these fields (names, or IDs); repeat the parameter.", "Name"),
    _query("filterByFormula", "An Airtable formula; records where it is truthy are kept.", "AND({Qty} > 2, {Done})"),
    _query("maxRecords", "At most this many records in all pages together.", 100, {"type": "integer"}),
    _query("pageSize", "Records per page, 1 to 100 (default 100).", 50, {"type": "integer"}),
    _query("offset", "The previous page's `offset`, for the next page."),
    _query("sort[0][field]", "Sort by this field (name or ID); `sort[1][field]` etc. for further keys.", "Name"),
    _query("sort[0][direction]", "`asc` (default) or `desc`.", "desc"),
    _query("view", "A view's name or ID: its filters and sorts apply, its hidden fields are left out.", "Grid view"),
    _query("cellFormat", "`json` (default) or `string` (values as shown, needs timeZone and userLocale).", "json"),
    _query("timeZone", "Time zone for `cellFormat=string`, e.g. `Europe/Berlin`.", "Europe/Berlin"),
    _query("userLocale", "Locale for `cellFormat=string`, e.g. `en-gb`.", "en-gb"),
    _query("returnFieldsByFieldId", "`true`: key `fields` by field ID instead of name.", "true"),
]
RECORD_PARAMETERS = [p for p in LIST_PARAMETERS if p["name"] in ("cellFormat", "timeZone", "userLocale",
                                                                  "returnFieldsByFieldId")]  # fmt: skip
DELETE_PARAMETERS = [_query("records[]", "IDs of the records to delete (at most 10); repeat the parameter.", "recA")]
