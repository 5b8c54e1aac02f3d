"""Attachments: one row per uploaded file, tied to a record's attachment field.

The S3 key is built from IDs and a sanitised file name only; the row remembers what the client
declared (size, content type) and, once the object exists, what S3 reports (size, ETag).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id

# pending: presigned URL handed out; uploaded: object checked and on the record;
# rejected: the object broke the rules (too large, wrong size) and was deleted; failed: a file given by
# URL could not be fetched (refused address, too large, wrong type, error answer), `error` says why.
ATTACHMENT_STATUSES = ("pending", "uploaded", "rejected", "failed")


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_table_id_record_id", "table_id", "record_id"),
        Index("ix_attachments_bucket_key", "bucket", "key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("att"))
    workspace_id: Mapped[str] = mapped_column(String(17))
    base_id: Mapped[str] = mapped_column(String(17))
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(String(17))
    field_id: Mapped[str] = mapped_column(String(17))
    filename: Mapped[str] = mapped_column(String(255))  # as the user named it (display only)
    content_type: Mapped[str] = mapped_column(String(127))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    bucket: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    size: Mapped[int | None] = mapped_column(BigInteger)
    etag: Mapped[str | None] = mapped_column(String(80))
    # The S3 version the checks ran on (versioned buckets): downloads are signed for it.
    version_id: Mapped[str | None] = mapped_column(String(1024))
    # [{key, type, width, height}] previews written by the extract function.
    thumbnails: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(17))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_at: Mapped[datetime | None]
