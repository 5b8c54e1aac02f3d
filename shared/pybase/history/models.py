"""Record history: who changed which field from what to what, and when.

Written by the records service in the same transaction as the change. Creation is not logged here
(a record's created_at/created_by say it), which keeps bulk creates at full speed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class RecordHistory(Base):
    __tablename__ = "record_history"

    # An entry is the change that gave the record this version: every write that logs history
    # advances the version under the record's row lock, so the key is unique and orders a record's
    # entries without a sequence shared by all tables (which a distribution key would break).
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # updated | deleted | restored
    actor_id: Mapped[str | None] = mapped_column(String(17))
    # {field_id: {"from": old, "to": new}} in storage form; empty for delete/restore.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
