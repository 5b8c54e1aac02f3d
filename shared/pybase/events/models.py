from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class ChangeEvent(Base):
    """The durable log of committed changes, ordered within each of its shards (one sequence per shard,
    see pybase.events.service); realtime delivery and replay, search and webhooks read it."""

    __tablename__ = "change_events"
    __table_args__ = (
        Index("ix_change_events_table_id_id", "table_id", "id"),
        Index("ix_change_events_base_id_id", "base_id", "id"),
    )

    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(17))
    base_id: Mapped[str | None] = mapped_column(String(17))
    table_id: Mapped[str | None] = mapped_column(String(17))
    type: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[str | None] = mapped_column(String(17))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
