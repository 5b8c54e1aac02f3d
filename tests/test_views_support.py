"""Helpers for the views, comments, trash and forms tests: a workspace with people in each role.

Objects are inserted straight into the database (fast, and independent of the routes under test);
every request in the tests then goes through the Lambda handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from pybase.access.models import Grant
from pybase.auth.models import User
from pybase.auth.security import issue_access_token
from pybase.bases.models import AppBase
from pybase.db import session_scope, utcnow
from pybase.events.models import ChangeEvent
from pybase.fields.models import Field
from pybase.ids import new_id
from pybase.tables.models import Table
from pybase.views.models import View
from pybase.workspaces.models import Workspace, WorkspaceMember
from tests.conftest import Api

ROLES = ("owner", "admin", "editor", "commenter", "viewer")

DEFAULT_FIELDS: dict[str, tuple[str, dict[str, Any]]] = {
    "Name": ("single_line_text", {}),
    "Notes": ("long_text", {}),
    "Qty": ("number", {"precision": 0}),
    "Status": (
        "single_select",
        {"choices": [{"id": "selTodo0000000001", "name": "Todo"}, {"id": "selDone0000000001", "name": "Done"}]},
    ),
    "Due": ("date", {}),
    "Ends": ("datetime", {}),
    "Photos": ("attachment", {}),
    "Owner": ("user", {}),
    "Number": ("autonumber", {}),
}


@dataclass
class World:
    workspace_id: str
    base_id: str
    table_id: str
    users: dict[str, str]  # role -> user ID
    tokens: dict[str, str]  # role -> access token
    fields: dict[str, str]  # field name -> field ID
    outsider: str = ""
    outsider_token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def api(self, api: Api, role: str) -> Api:
        return api.as_user(self.tokens[role] if role != "outsider" else self.outsider_token)


def make_user(name: str) -> tuple[str, str]:
    with session_scope() as session:
        user = User(email=f"{name}-{new_id('usr').lower()}@example.com", name=name, password_hash="!")
        session.add(user)
        session.flush()
        user_id = user.id
    return user_id, issue_access_token(user_id)[0]


def make_world(fields: dict[str, tuple[str, dict[str, Any]]] | None = None) -> World:
    users, tokens = {}, {}
    for role in ROLES:
        users[role], tokens[role] = make_user(role)
    outsider, outsider_token = make_user("outsider")
    with session_scope() as session:
        workspace = Workspace(name="Engineering", created_by=users["owner"])
        session.add(workspace)
        session.flush()
        for role in ROLES:
            session.add(WorkspaceMember(workspace_id=workspace.id, user_id=users[role], role=role))
        base = AppBase(workspace_id=workspace.id, name="Parts", created_by=users["owner"])
        session.add(base)
        session.flush()
        table = Table(base_id=base.id, name="Parts", created_by=users["owner"])
        session.add(table)
        session.flush()
        field_ids = {}
        for position, (name, (ftype, options)) in enumerate((fields or DEFAULT_FIELDS).items()):
            f = Field(table_id=table.id, name=name, type=ftype, options=options, position=position)
            session.add(f)
            session.flush()
            field_ids[name] = f.id
        table.primary_field_id = next(iter(field_ids.values()))
        session.add(View(table_id=table.id, name="Grid view", type="grid", config={}, position=0))
        world = World(workspace.id, base.id, table.id, users, tokens, field_ids, outsider, outsider_token)
    return world


def add_table(world: World, name: str) -> str:
    with session_scope() as session:
        table = Table(base_id=world.base_id, name=name, created_by=world.users["owner"])
        session.add(table)
        session.flush()
        return table.id


def grant(world: World, user_id: str, scope_id: str, role: str, scope_type: str = "table") -> None:
    with session_scope() as session:
        session.add(
            Grant(user_id=user_id, workspace_id=world.workspace_id, scope_type=scope_type, scope_id=scope_id, role=role)
        )


def soft_delete(model: Any, object_id: str, *, days_ago: float = 0) -> None:
    """Put an object in the trash as its owner's service would, optionally back-dated."""
    with session_scope() as session:
        session.execute(
            update(model).where(model.id == object_id).values(deleted_at=utcnow() - timedelta(days=days_ago))
        )


def events(table_id: str, type_prefix: str = "") -> list[ChangeEvent]:
    with session_scope() as session:
        rows = session.scalars(
            select(ChangeEvent).where(ChangeEvent.table_id == table_id).order_by(ChangeEvent.id)
        ).all()
        return [e for e in rows if e.type.startswith(type_prefix)]


def load(model: Any, object_id: str) -> Any:
    with session_scope() as session:
        return session.get(model, object_id)


def add_records(world: World, rows: list[dict[str, Any]], *, table_id: str | None = None) -> list[str]:
    """Insert records (values keyed by field name, stored as given) and advance the table's sequence."""
    from sqlalchemy import func
    from sqlalchemy.dialects.postgresql import insert

    from pybase.records.models import Record, RecordSequence

    table_id = table_id or world.table_id
    ids = []
    with session_scope() as session:
        last = session.scalar(select(func.max(Record.seq)).where(Record.table_id == table_id)) or 0
        for offset, row in enumerate(rows, start=1):
            record = Record(
                table_id=table_id,
                seq=last + offset,
                data={world.fields.get(k, k): v for k, v in row.items()},
                created_by=world.users["editor"],
            )
            session.add(record)
            session.flush()
            ids.append(record.id)
        upto = last + len(rows)
        session.execute(
            insert(RecordSequence)
            .values(table_id=table_id, last_seq=upto)
            .on_conflict_do_update(index_elements=["table_id"], set_={"last_seq": upto})
        )
    return ids


def record_row(table_id: str, record_id: str) -> Any:
    from pybase.records.models import Record

    with session_scope() as session:
        return session.get(Record, (table_id, record_id))
