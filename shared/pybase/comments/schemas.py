"""Request and response bodies for comments."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

MAX_COMMENT_CHARS = 10_000


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)


class CommentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)


class UserRef(BaseModel):
    id: str
    name: str | None = None
    email: str | None = None


class CommentOut(BaseModel):
    id: str
    table_id: str
    record_id: str
    author: UserRef | None
    text: str
    mentions: list[UserRef]
    created_at: datetime
    updated_at: datetime | None


class CommentList(BaseModel):
    comments: list[CommentOut]
    next_cursor: str | None = None
