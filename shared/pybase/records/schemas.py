"""Request bodies of the records API.

View config shape (agreed with the views service; `View.config` JSONB), as read when listing
records through `?view=viw…`:

    {
      "filters": <filter tree, see pybase.records.query>,       # ANDed with the request's filter
      "sorts": [{"field": "fld…", "direction": "asc"|"desc"}],  # used unless the request sorts
      "hidden_fields": ["fld…", ...],                           # left out unless ?fields= asks
      "field_order": ["fld…", ...]                              # order of keys in each record
    }

Conditions and sorts on fields deleted after the view was saved are ignored. Views can also call
pybase.records.indexes.ensure_indexes(..., wait=True) when they save filters/sorts so the indexes
exist before the first listing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FILTER_DOC = """A filter tree (JSON). A condition is
`{"field": "<field ID or name>", "op": "<operator>", "value": ...}`; groups combine nodes:
`{"and": [...]}`, `{"or": [...]}`, `{"not": node}` (at most 8 levels, 200 conditions).
Operators depend on the field type (`GET /field-types` lists them): e.g. `=`, `!=`, `<`, `<=`, `>`, `>=`,
`contains`, `not_contains`, `starts_with`, `is_empty`, `is_not_empty`, `is_any_of`, `has_any_of`, `is_before`.
A filter on a formula, lookup or rollup compiles to SQL where it can; otherwise it is checked on computed
values in batches, within 10 s per request (a 422 `filter_scan_out_of_time` after that).
`{"formula": "<Airtable formula>"}` is a node too. Saved view filters use the same tree."""

FILTER_EXAMPLE = {
    "and": [{"field": "Qty", "op": ">=", "value": 2}, {"field": "Name", "op": "contains", "value": "brack"}]
}

SORT_DOC = """Sort keys, first wins (at most 10): comma-separated field IDs or names, `-` before a field for descending
(`-Due,Name`), or JSON `[{"field": "Due", "direction": "desc"}]`. Blanks sort last ascending, first descending;
creation order breaks ties. Without a sort: the view's sorts, else creation order."""

FIELD_KEY_DOC = "Key the answer's `fields` by field `id` (default) or by field `name`."


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(_Body):
    fields: dict[str, Any] = Field(default_factory=dict)


class CreateRecords(_Body):
    """One record ({"fields": {...}}) or a batch ({"records": [...]})."""

    fields: dict[str, Any] | None = None
    records: list[Any] | None = None
    typecast: bool = False


class UpdateOne(_Body):
    fields: dict[str, Any] = Field(default_factory=dict)
    typecast: bool = False


class UpdateMany(_Body):
    records: list[Any]
    typecast: bool = False


class DeleteMany(_Body):
    records: list[Any]


class Upsert(_Body):
    records: list[Any]
    merge_on: list[Any]
    typecast: bool = False


class QueryBody(_Body):
    """The listing's parameters as a JSON body, for filters too long for a URL."""

    filter: dict[str, Any] | None = Field(None, description=FILTER_DOC, examples=[FILTER_EXAMPLE])
    sort: list[Any] | None = Field(
        None, description=SORT_DOC, examples=[[{"field": "Due", "direction": "desc"}, {"field": "Name"}]]
    )
    fields: list[str] | None = Field(None, description="Only these fields (IDs or names) in each record.")
    page_size: int = Field(100, description="Records per page, 1 to 1,000.")
    cursor: str | None = Field(None, description="The previous page's `next_cursor`.")
    offset: int | None = Field(None, description="Skip this many records (a far jump); not with `cursor`.")
    count: bool = Field(False, description="Also answer `total`, the number of matching records.")
    view: str | None = Field(
        None, description="A view's ID (`viw…`) or name: its filters, sorts and hidden fields apply."
    )
    field_key: str = Field("id", description=FIELD_KEY_DOC)


# --- answers (documented in OpenAPI; the routes build them as plain dicts) ----------------------

FIELDS_DOC = (
    "Cell values keyed by field ID (`fld…`), or by field name with `field_key=name`. Empty cells are left out; "
    "links are lists of record IDs (with names where readable), lookups and rollups computed."
)


class RecordOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Record ID (`rec…`).", examples=["recA1b2C3d4E5f6G7"])
    version: int = Field(description="Increases with every change; send it back as `If-Match` to avoid lost updates.")
    created_at: str = Field(description="ISO 8601, UTC.")
    updated_at: str = Field(description="ISO 8601, UTC.")
    fields: dict[str, Any] = Field(description=FIELDS_DOC, examples=[{"Name": "Bracket", "Qty": 4}])


class RecordGroup(BaseModel):
    field_id: str
    value: Any = None
    record_ids: list[str]


class GroupCount(BaseModel):
    value: Any = None
    count: int


class GroupCounts(BaseModel):
    field_id: str = Field(description="The view's first grouping field.")
    groups: list[GroupCount]
    truncated: bool = Field(description="True when there were more than 1,000 groups.")


class RecordPage(BaseModel):
    model_config = ConfigDict(extra="allow")

    records: list[RecordOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page.")
    total: int | None = Field(None, description="Records matching the filter (only with `count=true`).")
    event_id: int | None = Field(
        None, description="Change-log position of this read: subscribe with it to get every later change."
    )
    groups: list[RecordGroup] | None = Field(None, description="The page's records grouped as the view groups them.")
    group_counts: GroupCounts | None = Field(None, description="With `group_counts=true` and a grouped view.")


class RecordBatch(BaseModel):
    records: list[RecordOut]


class UpsertResult(BaseModel):
    records: list[RecordOut] = Field(description="Every record of the request, in request order.")
    created_ids: list[str]
    updated_ids: list[str]


class DeletedRecords(BaseModel):
    deleted: list[str] = Field(description="IDs of the records moved to the trash.")


class FieldChange(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    field_name: str
    from_: Any = Field(None, alias="from")
    to: Any = None


class HistoryEntry(BaseModel):
    id: int = Field(description="The record's version this change made (unique per record, newer is higher).")
    action: str = Field(description="`created`, `updated`, `deleted` or `restored`.")
    actor_id: str | None = None
    at: str
    changes: dict[str, FieldChange] = Field(description="Per field ID: its name, old and new value.")


class RecordHistory(BaseModel):
    record_id: str
    created_at: str
    created_by: str | None = None
    entries: list[HistoryEntry] = Field(description="Newest first.")
    next_before: int | None = Field(None, description="Pass as `before` for older entries; null at the start.")
