"""Workspaces CRUD, members and the never-without-an-owner rule."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.access.models import Grant
from pybase.bases.models import AppBase
from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from pybase.tables.models import Table
from pybase.workspaces.models import Workspace, WorkspaceMember
from tests.conftest import Api
from tests.factories import add_member, grant, make_base, make_table, make_user, make_workspace, unique_email


def events(workspace_id: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope() as session:
        rows = session.execute(
            select(ChangeEvent.type, ChangeEvent.payload)
            .where(ChangeEvent.workspace_id == workspace_id)
            .order_by(ChangeEvent.created_at, ChangeEvent.id)  # a workspace's events span shards
        ).all()
    return [(row.type, row.payload) for row in rows]


def role_of(workspace_id: str, user_id: str) -> str | None:
    with session_scope() as session:
        member = session.get(WorkspaceMember, (workspace_id, user_id))
        return member.role if member else None


def test_create_list_get_rename_delete(api: Api) -> None:
    user = make_user()
    me = api.as_user(user.token)
    created = me.call("workspaces", "POST", "/workspaces", body={"name": "  Drawings  "})
    assert created.status == 201, created.text
    body = created.json()
    assert body["name"] == "Drawings" and body["role"] == "owner" and body["id"].startswith("wsp")
    workspace_id = body["id"]
    assert role_of(workspace_id, user.id) == "owner"
    assert [w["id"] for w in me.call("workspaces", "GET", "/workspaces").json()] == [workspace_id]
    assert me.call("workspaces", "GET", f"/workspaces/{workspace_id}").json()["name"] == "Drawings"
    renamed = me.call("workspaces", "PATCH", f"/workspaces/{workspace_id}", body={"name": "Plans"})
    assert renamed.status == 200 and renamed.json()["name"] == "Plans"
    base_id = make_base(workspace_id)
    make_table(base_id)
    assert me.call("workspaces", "DELETE", f"/workspaces/{workspace_id}").status == 204
    assert me.call("workspaces", "GET", f"/workspaces/{workspace_id}").status == 404
    with session_scope() as session:
        assert session.get(Workspace, workspace_id) is None
        assert session.scalar(select(func.count()).select_from(AppBase).where(AppBase.id == base_id)) == 0
        assert session.scalar(select(func.count()).select_from(Table).where(Table.base_id == base_id)) == 0
    types = [t for t, _ in events(workspace_id)]
    assert types[0] == "workspace.created" and types[1] == "workspace.updated" and types[-1] == "workspace.deleted"
    assert events(workspace_id)[1][1] == {"name": "Plans"}


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "  "}, {"name": "x" * 201}, {"name": 5}, {"name": "ok", "owner": "me"}]
)
def test_workspace_bad_input_is_422_and_creates_nothing(api: Api, body: dict) -> None:
    user = make_user()
    response = api.as_user(user.token).call("workspaces", "POST", "/workspaces", body=body)
    assert response.status == 422
    assert response.json()["error"]["code"] == "validation_failed"
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Workspace).where(Workspace.created_by == user.id)) == 0


def test_add_change_remove_members_and_their_events(api: Api) -> None:
    owner, admin, newcomer = make_user(), make_user(), make_user()
    workspace_id = make_workspace(owner)
    add_member(workspace_id, admin, "admin")
    as_admin = api.as_user(admin.token)
    base = f"/workspaces/{workspace_id}/members"
    added = as_admin.call("workspaces", "POST", base, body={"email": newcomer.email.upper(), "role": "editor"})
    assert added.status == 201, added.text
    assert added.json()["user_id"] == newcomer.id and added.json()["role"] == "editor"
    again = as_admin.call("workspaces", "POST", base, body={"email": newcomer.email, "role": "viewer"})
    assert again.status == 409
    listed = as_admin.call("workspaces", "GET", base).json()
    assert {m["user_id"]: m["role"] for m in listed} == {owner.id: "owner", admin.id: "admin", newcomer.id: "editor"}
    changed = as_admin.call("workspaces", "PATCH", f"{base}/{newcomer.id}", body={"role": "commenter"})
    assert changed.status == 200 and changed.json()["role"] == "commenter"
    assert as_admin.call("workspaces", "DELETE", f"{base}/{newcomer.id}").status == 204
    assert role_of(workspace_id, newcomer.id) is None
    assert api.as_user(newcomer.token).call("workspaces", "GET", f"/workspaces/{workspace_id}").status == 404
    log = [(t, p) for t, p in events(workspace_id) if t.startswith("member.")]
    assert log == [
        ("member.added", {"user_id": admin.id, "role": "admin"}),
        ("member.added", {"user_id": newcomer.id, "role": "editor"}),
        ("member.updated", {"user_id": newcomer.id, "role": "commenter", "previous_role": "editor"}),
        ("member.removed", {"user_id": newcomer.id, "role": "commenter", "grants_removed": 0}),
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "nobody-here@example.com", "role": "editor"}, 404),
        ({"email": "not an email", "role": "editor"}, 422),
        ({"email": "someone@example.com", "role": "superuser"}, 422),
        ({"email": "someone@example.com"}, 422),
    ],
)
def test_add_member_bad_input(api: Api, body: dict, status: int) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    response = api.as_user(owner.token).call("workspaces", "POST", f"/workspaces/{workspace_id}/members", body=body)
    assert response.status == status, response.text
    with session_scope() as session:
        count = session.scalar(
            select(func.count()).select_from(WorkspaceMember).where(WorkspaceMember.workspace_id == workspace_id)
        )
    assert count == 1


def test_unknown_member_is_404(api: Api) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    as_owner = api.as_user(owner.token)
    for user_id in ("usr" + "A" * 14, "nope", make_user().id):
        path = f"/workspaces/{workspace_id}/members/{user_id}"
        assert as_owner.call("workspaces", "PATCH", path, body={"role": "viewer"}).status == 404
        assert as_owner.call("workspaces", "DELETE", path).status == 404


def test_only_owners_touch_the_owner_role(api: Api) -> None:
    owner, admin, other = make_user(), make_user(), make_user()
    workspace_id = make_workspace(owner)
    add_member(workspace_id, admin, "admin")
    add_member(workspace_id, other, "editor")
    as_admin = api.as_user(admin.token)
    members = f"/workspaces/{workspace_id}/members"
    assert as_admin.call("workspaces", "PATCH", f"{members}/{other.id}", body={"role": "owner"}).status == 403
    assert as_admin.call("workspaces", "PATCH", f"{members}/{admin.id}", body={"role": "owner"}).status == 403
    assert as_admin.call("workspaces", "PATCH", f"{members}/{owner.id}", body={"role": "viewer"}).status == 403
    assert as_admin.call("workspaces", "DELETE", f"{members}/{owner.id}").status == 403
    newcomer = make_user()
    assert as_admin.call("workspaces", "POST", members, body={"email": newcomer.email, "role": "owner"}).status == 403
    invite = {"email": unique_email(), "role": "owner"}
    assert as_admin.call("workspaces", "POST", f"/workspaces/{workspace_id}/invitations", body=invite).status == 403
    assert as_admin.call("workspaces", "DELETE", f"/workspaces/{workspace_id}").status == 403
    assert role_of(workspace_id, owner.id) == "owner" and role_of(workspace_id, other.id) == "editor"
    as_owner = api.as_user(owner.token)
    assert as_owner.call("workspaces", "PATCH", f"{members}/{other.id}", body={"role": "owner"}).status == 200
    assert role_of(workspace_id, other.id) == "owner"


def test_a_workspace_always_keeps_an_owner(api: Api) -> None:
    owner, second = make_user(), make_user()
    workspace_id = make_workspace(owner)
    members = f"/workspaces/{workspace_id}/members"
    as_owner = api.as_user(owner.token)
    demote = as_owner.call("workspaces", "PATCH", f"{members}/{owner.id}", body={"role": "admin"})
    assert demote.status == 409 and demote.json()["error"]["code"] == "last_owner"
    leave = as_owner.call("workspaces", "DELETE", f"{members}/{owner.id}")
    assert leave.status == 409 and leave.json()["error"]["code"] == "last_owner"
    add_member(workspace_id, second, "owner")
    # With two owners one may step down or leave, but then the other cannot.
    assert as_owner.call("workspaces", "PATCH", f"{members}/{owner.id}", body={"role": "admin"}).status == 200
    as_second = api.as_user(second.token)
    assert as_second.call("workspaces", "DELETE", f"{members}/{second.id}").status == 409
    assert as_second.call("workspaces", "PATCH", f"{members}/{second.id}", body={"role": "editor"}).status == 409
    # The demoted admin cannot remove the last owner either.
    assert as_owner.call("workspaces", "DELETE", f"{members}/{second.id}").status == 403
    assert role_of(workspace_id, second.id) == "owner"
    with session_scope() as session:
        owners = session.scalar(
            select(func.count())
            .select_from(WorkspaceMember)
            .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.role == "owner")
        )
    assert owners == 1


def test_members_may_leave_and_take_their_grants_with_them(api: Api) -> None:
    owner, leaver = make_user(), make_user()
    workspace_id = make_workspace(owner)
    base_id = make_base(workspace_id)
    table = make_table(base_id)
    add_member(workspace_id, leaver, "viewer")
    grant("base", base_id, leaver, "admin")
    grant("table", table.id, leaver, "editor")
    me = api.as_user(leaver.token)
    assert me.call("workspaces", "GET", f"/workspaces/{workspace_id}/members").status == 200
    assert me.call("workspaces", "DELETE", f"/workspaces/{workspace_id}/members/{leaver.id}").status == 204
    # Grants go with the membership, so nothing of the workspace is reachable any more.
    assert me.call("workspaces", "GET", f"/bases/{base_id}").status == 404
    assert me.call("tables", "GET", f"/tables/{table.id}").status == 404
    assert me.call("workspaces", "GET", f"/workspaces/{workspace_id}").status == 404
    with session_scope() as session:
        assert session.scalars(select(Grant).where(Grant.user_id == leaver.id)).all() == []
    removed = [p for t, p in events(workspace_id) if t == "member.removed"]
    assert removed == [{"user_id": leaver.id, "role": "viewer", "grants_removed": 2}]


def test_api_token_cannot_leave_for_its_user_without_admin_scope(api: Api) -> None:
    from tests.factories import make_api_token

    owner, member = make_user(), make_user()
    workspace_id = make_workspace(owner)
    add_member(workspace_id, member, "editor")
    token = make_api_token(member, scope="write")
    response = api.as_user(token).call("workspaces", "DELETE", f"/workspaces/{workspace_id}/members/{member.id}")
    assert response.status == 403
    assert role_of(workspace_id, member.id) == "editor"


def test_two_owners_demoting_each_other_at_once_leave_one_owner() -> None:
    import threading

    from pybase.errors import PyBaseError
    from pybase.workspaces import service

    first, second = make_user(), make_user()
    workspace_id = make_workspace(first)
    add_member(workspace_id, second, "owner")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor: Any, target: Any) -> None:
        barrier.wait()
        try:
            with session_scope() as session:
                service.update_member(
                    session, principal=actor.principal, workspace_id=workspace_id, user_id=target.id, role="admin"
                )
            outcomes.append("ok")
        except PyBaseError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=demote, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # The loser waits for the winner's lock, then finds it is no longer an owner (or the last one).
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"owner_required", "last_owner"}
    roles = sorted([role_of(workspace_id, first.id), role_of(workspace_id, second.id)])
    assert roles == ["admin", "owner"]
