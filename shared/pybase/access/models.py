from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class Grant(Base):
    """A role given to a user on one base or one table; it overrides the workspace role there."""

    __tablename__ = "grants"

    # One grant per user and scope, keyed by them (no serial ID drawn by every workspace's grants).
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    scope_type: Mapped[str] = mapped_column(String(8))  # base | table
    scope_id: Mapped[str] = mapped_column(String(17), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
