"""Request and response bodies of the extraction job routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobError(BaseModel):
    code: str
    message: str
    details: Any = None


class JobOut(BaseModel):
    id: str
    attachment_id: str
    table_id: str
    filename: str | None = None
    format: str | None
    status: str
    progress: int
    attempts: int
    size: int | None
    error: JobError | None
    warnings: list[str]
    summary: dict[str, Any]
    timings: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    # The full structured result: inline, or (when it was too large for the database) a download URL.
    result: dict[str, Any] | None = None
    result_url: str | None = None


class JobList(BaseModel):
    jobs: list[JobOut]
    next_cursor: str | None = None


class MappingColumn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=200)
    # A field ID or name in the target table; with create_missing_fields, a new field's name.
    field: str = Field(min_length=1, max_length=200)
    type: str | None = Field(default=None, max_length=40)  # the type of a field to create
    options: dict[str, Any] | None = None


class MappingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table_id: str = Field(max_length=40)
    source: str = Field(max_length=40)  # bom, dimensions, blocks, title_block, texts
    columns: list[MappingColumn] = Field(min_length=1, max_length=200)
    options: dict[str, Any] = Field(default_factory=dict)  # per source, e.g. {"tables": [0, 2]}
    create_missing_fields: bool = False
    typecast: bool = True
    # Repeating a request with the same key returns the first result instead of creating records again.
    idempotency_key: str | None = Field(default=None, max_length=100)


class SuggestedColumn(BaseModel):
    source: str
    field: str
    field_id: str | None
    type: str
    options: dict[str, Any] = Field(default_factory=dict)
    exists: bool


class SuggestedMapping(BaseModel):
    table_id: str | None
    source: str
    sources: dict[str, int]  # every source with the number of records it would give
    columns: list[SuggestedColumn]
    options: dict[str, Any] = Field(default_factory=dict)
    row_count: int
    preview: list[dict[str, Any]]


class MappingOut(BaseModel):
    id: str
    job_id: str
    table_id: str
    source: str
    record_ids: list[str]
    created_fields: list[str]
    created_at: datetime
    replayed: bool = False
