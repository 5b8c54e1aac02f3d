"""Quick test data through the service layer: users with tokens, workspaces, bases, tables, grants.

Every helper commits its own unit of work, so the data is visible to handlers called through the
`api` fixture. Typical use in a test module (build once per module, it is cheap but not free):

    from tests.factories import make_world

    @pytest.fixture(scope="module")
    def world():
        return make_world()            # workspace + base + table + one member per role + an outsider

    def test_something(api, world):
        r = api.as_user(world.users["editor"].token).call("tables", "GET", f"/tables/{world.table.id}")

Users share one password hash computed once per process (argon2 takes ~0.3 s per hash here); pass
`password=` to make_user for a user with their own password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import ROLES, Principal
from pybase.auth.models import User
from pybase.db import session_scope

DEFAULT_PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class TestUser:
    """A registered user with a fresh session (access JWT + refresh token)."""

    __test__ = False  # not a pytest test class

    id: str
    email: str
    name: str
    password: str
    token: str
    refresh_token: str

    @property
    def principal(self) -> Principal:
        return Principal(user_id=self.id)

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class TableRef:
    id: str
    base_id: str
    workspace_id: str
    name: str
    primary_field_id: str
    view_id: str


@dataclass
class World:
    """A workspace with one member per role, a base, a table, and an outsider (owner of another workspace)."""

    workspace_id: str
    base_id: str
    table: TableRef
    users: dict[str, TestUser]
    outsider: TestUser
    other_workspace_id: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def owner(self) -> TestUser:
        return self.users["owner"]


@lru_cache(maxsize=1)
def _default_hash() -> str:
    from pybase.auth.security import hash_password

    return hash_password(DEFAULT_PASSWORD)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(5)}@example.com"


def make_user(*, name: str | None = None, email: str | None = None, password: str | None = None) -> TestUser:
    """A new active user with an access token and a refresh token."""
    from pybase.auth import service as auth_service

    email = (email or unique_email()).strip().lower()
    name = name or email.split("@")[0]
    with session_scope() as session:
        if password is None:
            user = User(email=email, name=name, password_hash=_default_hash())
            session.add(user)
            session.flush()
        else:
            user = auth_service.register(session, email=email, password=password, name=name)
        tokens = auth_service.issue_session(session, user_id=user.id)
        user_id = user.id
    return TestUser(
        id=user_id,
        email=email,
        name=name,
        password=password or DEFAULT_PASSWORD,
        token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )


def _owner_of(session: Session, workspace_id: str) -> Principal:
    from pybase.workspaces.models import WorkspaceMember

    user_id = session.scalar(
        select(WorkspaceMember.user_id)
        .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.role == "owner")
        .order_by(WorkspaceMember.created_at)
        .limit(1)
    )
    assert user_id is not None, f"workspace {workspace_id} has no owner"
    return Principal(user_id=user_id)


def _actor(session: Session, workspace_id: str, by: TestUser | None) -> Principal:
    return by.principal if by is not None else _owner_of(session, workspace_id)


def _workspace_of_base(session: Session, base_id: str) -> str:
    from pybase.bases.models import AppBase

    workspace_id = session.scalar(select(AppBase.workspace_id).where(AppBase.id == base_id))
    assert workspace_id is not None, f"no base {base_id}"
    return workspace_id


def make_workspace(owner: TestUser, *, name: str = "Workspace") -> str:
    """A workspace owned by `owner`; returns its ID."""
    from pybase.workspaces import service

    with session_scope() as session:
        workspace, _ = service.create_workspace(session, principal=owner.principal, name=name)
        return workspace.id


def add_member(workspace_id: str, user: TestUser, role: str, *, by: TestUser | None = None) -> None:
    """Add `user` to the workspace with `role` (acting as `by`, default: the workspace's first owner)."""
    from pybase.workspaces import service

    with session_scope() as session:
        service.add_member(
            session, principal=_actor(session, workspace_id, by), workspace_id=workspace_id, email=user.email, role=role
        )


def make_base(workspace_id: str, *, name: str = "Base", by: TestUser | None = None) -> str:
    """A base in the workspace; returns its ID."""
    from pybase.bases import service

    with session_scope() as session:
        base, _ = service.create_base(
            session, principal=_actor(session, workspace_id, by), workspace_id=workspace_id, name=name
        )
        return base.id


def make_table(base_id: str, *, name: str | None = None, by: TestUser | None = None) -> TableRef:
    """A table (with its primary text field "Name" and a "Grid view") in the base."""
    from pybase.tables import service
    from pybase.views.models import View

    name = name or f"Table {secrets.token_hex(3)}"
    with session_scope() as session:
        workspace_id = _workspace_of_base(session, base_id)
        table = service.create_table(session, principal=_actor(session, workspace_id, by), base_id=base_id, name=name)
        view_id = session.scalar(select(View.id).where(View.table_id == table["id"]).order_by(View.position))
        return TableRef(
            id=table["id"],
            base_id=base_id,
            workspace_id=workspace_id,
            name=name,
            primary_field_id=table["primary_field_id"],
            view_id=view_id or "",
        )


def grant(scope_type: str, scope_id: str, user: TestUser, role: str, *, by: TestUser | None = None) -> None:
    """Give `user` a `role` on a base (scope_type "base") or a table ("table")."""
    from pybase.access import grants
    from pybase.tables.models import Table

    with session_scope() as session:
        base_id = (
            scope_id if scope_type == "base" else session.scalar(select(Table.base_id).where(Table.id == scope_id))
        )
        assert base_id is not None, f"no table {scope_id}"
        principal = _actor(session, _workspace_of_base(session, base_id), by)
        grants.set_grant(
            session, principal=principal, scope_type=scope_type, scope_id=scope_id, user_id=user.id, role=role
        )


def make_api_token(user: TestUser, *, scope: str = "write", base_ids: list[str] | None = None) -> str:
    """A personal API token (`pat_...`) of `user`; returns the secret."""
    from pybase.auth import service

    with session_scope() as session:
        _, secret = service.create_api_token(
            session, principal=user.principal, name="test token", scope=scope, base_ids=base_ids
        )
        return secret


def make_world(roles: tuple[str, ...] = ROLES) -> World:
    """Workspace + base + table, one member per role in `roles` (the owner always), and an outsider."""
    owner = make_user(name="owner")
    workspace_id = make_workspace(owner, name="World")
    users = {"owner": owner}
    for role in roles:
        if role == "owner":
            continue
        users[role] = make_user(name=role)
        add_member(workspace_id, users[role], role, by=owner)
    base_id = make_base(workspace_id, name="World base", by=owner)
    table = make_table(base_id, name="World table", by=owner)
    outsider = make_user(name="outsider")
    other_workspace_id = make_workspace(outsider, name="Elsewhere")
    return World(
        workspace_id=workspace_id,
        base_id=base_id,
        table=table,
        users=users,
        outsider=outsider,
        other_workspace_id=other_workspace_id,
    )
