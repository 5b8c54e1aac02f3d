"""Answers of the CSV import routes, for the OpenAPI document (the routes build them as dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ImportedColumn(BaseModel):
    column: str = Field(description="The CSV header.")
    id: str = Field(description="The field the column went into.")
    name: str
    type: str
    created: bool = Field(description="Whether the import created this field.")


class ImportReport(BaseModel):
    model_config = ConfigDict(extra="allow")

    import_id: str = Field(description="Follow the import with `GET …/imports/{import_id}`.")
    table_id: str
    created_table: bool
    fields: list[ImportedColumn]
    skipped_columns: list[dict[str, Any]] = Field(description="Columns not imported: `{column, reason}`.")
    total_rows: int
    imported_rows: int
    failed_rows: int
    errors: list[dict[str, Any]] = Field(description="The refused rows: `{row, column, field_id, value, message}`.")
    errors_truncated: bool = Field(description="True when more rows failed than `errors` lists.")


class ImportStatus(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    base_id: str
    table_id: str | None = None
    status: str = Field(description="`running`, `done` or `failed`.")
    phase: str | None = Field(None, description="`parsing`, `validating`, `writing`, `done` or `failed`.")
    total_rows: int | None = None
    processed_rows: int
    imported_rows: int
    failed_rows: int
    report: ImportReport | None = Field(None, description="The final report, once done.")
    created_at: str
    finished_at: str | None = None
