from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class Grant(Base):
    """A role given to a user on one base or one table; it overrides the workspace role there."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("user_id", "scope_id", name="uq_grants_user_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    scope_type: Mapped[str] = mapped_column(String(8))  # base | table
    scope_id: Mapped[str] = mapped_column(String(17), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
