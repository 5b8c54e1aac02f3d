"""Test data for the records engine's tests: users, a workspace, a base and plain tables.

Tables are made directly with the models (a table plus its primary text field), so these tests
depend only on the records engine, not on the tables service's side effects (default views...).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pybase.access.roles import ROLES
from pybase.db import session_scope
from pybase.fields.models import Field
from pybase.tables.models import Table
from tests.factories import TestUser, add_member, make_base, make_user, make_workspace


@dataclass(frozen=True)
class PlainTable:
    id: str
    primary_field_id: str


@dataclass(frozen=True)
class RecordsWorld:
    workspace_id: str
    base_id: str
    users: dict[str, TestUser]
    outsider: TestUser

    @property
    def owner(self) -> TestUser:
        return self.users["owner"]


def make_table(base_id: str, *, by: TestUser | None = None, name: str | None = None) -> PlainTable:
    with session_scope() as s:
        table = Table(base_id=base_id, name=name or f"Table {secrets.token_hex(3)}", created_by=by.id if by else None)
        s.add(table)
        s.flush()
        primary = Field(table_id=table.id, name="Name", type="single_line_text", options={}, position=0)
        s.add(primary)
        s.flush()
        table.primary_field_id = primary.id
        return PlainTable(table.id, primary.id)


def make_world(roles: tuple[str, ...] = ROLES) -> RecordsWorld:
    owner = make_user(name="owner")
    workspace_id = make_workspace(owner, name="Records")
    users = {"owner": owner}
    for role in roles:
        if role != "owner":
            users[role] = make_user(name=role)
            add_member(workspace_id, users[role], role, by=owner)
    base_id = make_base(workspace_id, name="Records base", by=owner)
    return RecordsWorld(workspace_id, base_id, users, make_user(name="outsider"))


World = RecordsWorld
