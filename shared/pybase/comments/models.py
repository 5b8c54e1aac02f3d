"""Comments on records, with @-mentions of users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Identity, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        # Purging a record (or its table) removes its comments; trashing it keeps them for a restore.
        ForeignKeyConstraint(
            ["table_id", "record_id"],
            ["records.table_id", "records.id"],
            ondelete="CASCADE",
            name="fk_comments_record_records",
        ),
        Index("ix_comments_table_id_record_id_seq", "table_id", "record_id", "seq"),
    )

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("com"))
    # Orders a record's comments and serves as the pagination cursor.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(String(17))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(ARRAY(String(17)), default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
