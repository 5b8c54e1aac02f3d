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
    filter: dict[str, Any] | None = None
    sort: list[Any] | None = None
    fields: list[str] | None = None
    page_size: int = 100
    cursor: str | None = None
    offset: int | None = None
    count: bool = False
    view: str | None = None
    field_key: str = "id"
