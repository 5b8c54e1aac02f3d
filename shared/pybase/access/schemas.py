"""Bodies of the grant routes (a per-user role on one base or one table)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pybase.auth.schemas import Body, Out

GrantRole = Literal["viewer", "commenter", "editor", "admin"]


class GrantIn(Body):
    role: GrantRole


class GrantOut(Out):
    user_id: str
    email: str
    name: str
    scope_type: Literal["base", "table"]
    scope_id: str
    role: str
    created_at: datetime
