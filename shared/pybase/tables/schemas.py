"""Bodies of the table routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from pybase.auth.schemas import Body, Name, Out, no_nul

Description = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(no_nul)]


class TableIn(Body):
    name: Name
    description: Description | None = None


class TableUpdateIn(Body):
    name: Name | None = None
    description: Description | None = None
    position: Annotated[int, Field(ge=0, le=100_000)] | None = None


class TableOut(Out):
    id: str
    base_id: str
    name: str
    description: str | None
    primary_field_id: str | None
    position: int
    role: str | None
    created_at: datetime


class ItemSummary(Out):
    id: str
    name: str
    type: str


class TableDetailOut(TableOut):
    fields: list[ItemSummary]
    views: list[ItemSummary]
