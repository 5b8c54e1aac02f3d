"""Response bodies for the trash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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


class Restored(BaseModel):
    """What a restore did; the kind adds what came back with the object (e.g. a table's fields)."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(description="`table`, `field`, `view` or `record`.")
    id: str
    restored: bool = Field(description="Always true.")
