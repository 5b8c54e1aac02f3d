"""Bodies of the workspace, member and invitation routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from pybase.auth.schemas import Body, Email, Name, Out

Role = Literal["viewer", "commenter", "editor", "admin", "owner"]


class WorkspaceIn(Body):
    name: Name


class WorkspaceUpdateIn(Body):
    name: Name


class WorkspaceOut(Out):
    id: str
    name: str
    role: str | None = Field(description="The caller's role in this workspace (null for guests of one base or table)")
    created_at: datetime


class MemberAddIn(Body):
    email: Email
    role: Role


class MemberUpdateIn(Body):
    role: Role


class MemberOut(Out):
    user_id: str
    email: str
    name: str
    role: str
    created_at: datetime


class InvitationIn(Body):
    email: Email
    role: Role
    expires_in_days: Annotated[int, Field(ge=1, le=30)] = 7


class InvitationOut(Out):
    id: str
    workspace_id: str
    email: str
    role: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    status: Literal["pending", "expired"]


class InvitationCreatedOut(InvitationOut):
    token: str = Field(description="The acceptance token, shown only in this response.")


class InvitationAcceptIn(Body):
    token: Annotated[str, Field(min_length=1, max_length=200)]
