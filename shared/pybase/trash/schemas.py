"""Response bodies for the trash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class TrashItemOut(BaseModel):
    kind: str
    id: str
    table_id: str
    table_name: str
    name: str | None
    deleted_at: datetime
    expires_at: datetime
    can_restore: bool


class TrashList(BaseModel):
    items: list[TrashItemOut]
    next_cursor: str | None = None
