"""CSV import jobs: one row per import, updated on its own connection while the import runs so that
GET .../imports/{id} shows progress before the import's own transaction commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id

IMPORT_STATUSES = ("running", "done", "failed")


class CsvImport(Base):
    __tablename__ = "csv_imports"
    __table_args__ = (Index("ix_csv_imports_table_id_created_at", "table_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("imp"))
    # No foreign keys: the row is written outside the import's transaction, which may be the one
    # creating the table.
    base_id: Mapped[str] = mapped_column(String(17))
    table_id: Mapped[str | None] = mapped_column(String(17))
    created_by: Mapped[str] = mapped_column(String(17))
    status: Mapped[str] = mapped_column(String(16), default="running")
    phase: Mapped[str] = mapped_column(String(16), default="parsing")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    failed_rows: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
