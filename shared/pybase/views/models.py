from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id


class View(Base):
    """A saved way of looking at a table: type (grid, kanban, ...) plus filters, sorts and layout."""

    __tablename__ = "views"
    # The trash listing and the purge read deleted rows only (migration 0003).
    __table_args__ = (Index("ix_views_trash", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),)

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("viw"))
    table_id: Mapped[str] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))  # a name in the view type registry
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
