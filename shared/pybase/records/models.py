"""Records: one row per record, typed values in a JSONB object keyed by field ID.

The primary key is (table_id, id) so that every per-table scan walks only that table's rows
(PERF-NOTES: keying on id alone made a small table's first page hundreds of times slower).
`seq` numbers a table's records in creation order: it is the default order, the unique tie-breaker
of every sort (keyset cursors need one) and the value of autonumber fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_table_id_seq", "table_id", "seq", unique=True),
        # The trash listing and the purge read deleted rows only (migrations 0003 and 0040).
        Index("ix_records_trash", "table_id", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),
        Index("ix_records_trash_id", "id", postgresql_where=text("deleted_at IS NOT NULL")),
        {"postgresql_partition_by": "LIST (table_id)"},
    )

    # No foreign key to tables: `records` is partitioned by table_id (one partition per table, see
    # partitions.py), dropped with its table.
    table_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("rec"))
    seq: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # No foreign keys to users: bulk loads skip a lookup per row, and a record keeps its author's ID
    # after the account is gone.
    created_by: Mapped[str | None] = mapped_column(String(17))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(17))
    # Trash: a deleted record stays restorable for 30 days; every query skips it.
    deleted_at: Mapped[datetime | None]


class RecordSequence(Base):
    """Per table: the last `seq` handed out (one row lock per batch, not per record) and how many
    live records it holds (changed by the statements that insert, trash and restore them, so a count
    of all records is one row read)."""

    __tablename__ = "record_sequences"

    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    live_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class RecordIndex(Base):
    """Registry of the expression indexes PyBase asked for on `records` (one per field, kind and table).

    Each is built on the table's own partition (partial: `WHERE deleted_at IS NULL`) by the
    `indexbuild` function, never inside a request; `state` follows the build (pybase.records.indexes).
    """

    __tablename__ = "record_indexes"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'building', 'ready', 'failed')", name="state"),
        Index("ix_record_indexes_unfinished", "created_at", postgresql_where=text("state IN ('pending', 'building')")),
    )

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[str] = mapped_column(String(17), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # btree | trigram
    expression: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    # Why the last build failed (PostgreSQL's message), shown by GET /tables/{id}/indexes.
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
