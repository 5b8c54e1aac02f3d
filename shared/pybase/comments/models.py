"""Comments on records, with @-mentions of users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        # No foreign key into `records` (it would slow every partition's creation and cannot hold
        # across a distribution key): the purge deletes a record's comments with the record; trashing
        # it keeps them for a restore.
        # A record's comments in order, and the page cursor (created_at, id): no sequence shared by
        # all tables, which a distribution key would break.
        Index("ix_comments_table_id_record_id_created_at_id", "table_id", "record_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("com"))
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(String(17))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(ARRAY(String(17)), default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
