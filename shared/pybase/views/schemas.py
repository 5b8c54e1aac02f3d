"""Request and response bodies for views and forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str = Field(default="grid", min_length=1, max_length=20)
    config: dict[str, Any] = Field(default_factory=dict)


class ViewUpdate(BaseModel):
    """PATCH: top-level config keys given replace the saved ones; keys not given are kept."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    type: str | None = Field(default=None, min_length=1, max_length=20)
    config: dict[str, Any] | None = None
    position: int | None = Field(default=None, ge=0, le=100_000)


class ViewOut(BaseModel):
    id: str
    table_id: str
    name: str
    type: str
    position: int
    config: dict[str, Any]
    created_by: str | None
    created_at: datetime


class ViewList(BaseModel):
    views: list[ViewOut]


class FormFieldOut(BaseModel):
    field_id: str
    name: str
    label: str
    type: str
    options: dict[str, Any]
    required: bool
    help: str | None


class FormSchemaOut(BaseModel):
    view_id: str
    table_id: str
    title: str
    description: str | None
    fields: list[FormFieldOut]
    submit_message: str | None
    redirect_url: str | None


class FormSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Any] = Field(default_factory=dict)
    typecast: bool = False


class FormSubmitted(BaseModel):
    record_id: str
    submit_message: str | None
    redirect_url: str | None
