from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow
from pybase.ids import new_id


class AppBase(Base):
    """A base (Airtable calls it an "app"; the class name avoids the ORM's own `Base`)."""

    __tablename__ = "bases"

    id: Mapped[str] = mapped_column(String(17), primary_key=True, default=lambda: new_id("app"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
