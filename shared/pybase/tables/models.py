from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id
from pybase.records.partitions import create_partition


class Table(Base):
    __tablename__ = "tables"

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("tbl"))
    base_id: Mapped[str] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    primary_field_id: Mapped[str | None] = mapped_column(String(17))
    position: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Trash: a deleted table stays restorable for 30 days; queries skip it.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)


@event.listens_for(Table, "after_insert")
def _create_records_partition(mapper: object, connection: object, target: Table) -> None:
    # Every table gets its records partition in the transaction that creates it, whichever path adds it.
    create_partition(connection, target.id)  # type: ignore[arg-type]
