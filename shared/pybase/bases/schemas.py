"""Bodies of the base routes."""

from __future__ import annotations

from datetime import datetime

from pybase.auth.schemas import Body, Name, Out


class BaseIn(Body):
    name: Name


class BaseUpdateIn(Body):
    name: Name


class BaseOut(Out):
    id: str
    workspace_id: str
    name: str
    role: str | None
    created_at: datetime
