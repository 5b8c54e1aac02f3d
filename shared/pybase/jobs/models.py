"""Extraction jobs: one per uploaded object version (bucket, key, ETag).

The unique key makes duplicate S3 notifications (at-least-once delivery) land on the same row, and
the status only moves forward (queued -> running -> done | failed), so replays never redo work or
create records twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id

JOB_STATUSES = ("queued", "running", "done", "failed")


class ExtractionJob(Base):
    __tablename__ = "extraction_jobs"
    __table_args__ = (
        UniqueConstraint("bucket", "key", "etag", name="uq_extraction_jobs_object_version"),
        Index("ix_extraction_jobs_table_id_created_at", "table_id", "created_at"),
        Index("ix_extraction_jobs_attachment_id", "attachment_id"),
    )

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("job"))
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(String(17))
    base_id: Mapped[str] = mapped_column(String(17))
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    bucket: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    # S3's per-key ordering token (hex, compared after left-padding); newest event wins.
    sequencer: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    attempts: Mapped[int] = mapped_column(default=0)
    format: Mapped[str | None] = mapped_column(String(16))
    size: Mapped[int | None] = mapped_column(BigInteger)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[Any | None] = mapped_column(JSONB)
    # The full structured result, inline when small, else in S3 under result_key.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    result_key: Mapped[str | None] = mapped_column(Text)
    result_bytes: Mapped[int | None] = mapped_column(BigInteger)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSONB, default=list)
    created_by: Mapped[str | None] = mapped_column(String(17))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class JobMapping(Base):
    """One applied mapping of a job's result into a table (records created all-or-nothing)."""

    __tablename__ = "extraction_job_mappings"
    # A repeated request with the same idempotency key finds the first mapping (NULL keys never clash).
    __table_args__ = (Index("ix_extraction_job_mappings_job_id_key", "job_id", "idempotency_key", unique=True),)

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("map"))
    job_id: Mapped[str] = mapped_column(ForeignKey("extraction_jobs.id", ondelete="CASCADE"))
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    record_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    created_fields: Mapped[list[str]] = mapped_column(JSONB, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str | None] = mapped_column(String(17))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
