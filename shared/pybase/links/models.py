"""Record links: one row per (link field, from record, to record).

Why a link table and not JSONB arrays in `records.data`: a link has two ends, and the questions
PyBase asks are asked from both (a record's links, and "who links to this record" when it is deleted,
restored or shown in an inverse field). A link table answers both with an index range scan, keeps
each side of an inverse pair in its own row (so each cell has its own order and the inverse is a
mirrored insert/delete in the same statement batch, never a read-modify-write of another record's
JSONB). A link row goes with its field by foreign key; there is none into `records` (it would slow
every partition's creation and could not hold once records are distributed by table), so the purge
deletes the links of the records and tables it removes. The table IDs are kept on both ends so every
join hits `records`' (table_id, id) key.

Trashed records keep their rows: every read joins the live records, so a deleted record vanishes
from every link pointing at it and reappears, in place, when it is restored.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base


class RecordLink(Base):
    __tablename__ = "record_links"
    __table_args__ = (
        # Reverse direction: "who links to these records" (deletes, restores, purge cascades).
        Index("ix_record_links_to", "to_table_id", "to_record_id"),
        Index("ix_record_links_from", "from_table_id", "from_record_id"),
    )

    # Forward direction is the primary key: a cell's links are one range scan.
    field_id: Mapped[str] = mapped_column(ForeignKey("fields.id", ondelete="CASCADE"), primary_key=True)
    from_record_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    to_record_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    from_table_id: Mapped[str] = mapped_column(String(17))
    to_table_id: Mapped[str] = mapped_column(String(17))
    position: Mapped[int] = mapped_column(BigInteger, default=0)
