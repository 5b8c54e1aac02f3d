"""Request bodies of the fields API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str
    options: dict[str, Any] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=20_000)


class FieldUpdate(BaseModel):
    """Rename, change options, or change type (existing values are converted; see the report)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    type: str | None = None
    options: dict[str, Any] | None = None
    description: str | None = Field(default=None, max_length=20_000)
