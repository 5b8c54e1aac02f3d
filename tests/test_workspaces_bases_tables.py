"""Bases and tables CRUD (a new table comes with its primary field and grid view) and grant management."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.access.models import Grant
from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.tables.models import Table
from pybase.views.models import View
from tests.conftest import Api
from tests.factories import TestUser, add_member, grant, make_base, make_table, make_user, make_workspace, make_world


def _events(workspace_id: str, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope() as session:
        rows = session.execute(
            select(ChangeEvent.type, ChangeEvent.payload)
            .where(ChangeEvent.workspace_id == workspace_id, ChangeEvent.type.startswith(prefix))
            .order_by(ChangeEvent.created_at, ChangeEvent.id)  # a workspace's events span shards
        ).all()
    return [(row.type, row.payload) for row in rows]


def _table_count(base_id: str) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Table).where(Table.base_id == base_id)) or 0


def test_base_crud(api: Api) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    me = api.as_user(owner.token)
    created = me.call("workspaces", "POST", f"/workspaces/{workspace_id}/bases", body={"name": "Parts"})
    assert created.status == 201, created.text
    base = created.json()
    assert base["id"].startswith("app") and base["workspace_id"] == workspace_id and base["role"] == "owner"
    assert [b["id"] for b in me.call("workspaces", "GET", f"/workspaces/{workspace_id}/bases").json()] == [base["id"]]
    renamed = me.call("workspaces", "PATCH", f"/bases/{base['id']}", body={"name": "Parts list"})
    assert renamed.status == 200 and renamed.json()["name"] == "Parts list"
    table = make_table(base["id"])
    grant("table", table.id, make_user(), "viewer")
    assert me.call("workspaces", "DELETE", f"/bases/{base['id']}").status == 204
    assert me.call("workspaces", "GET", f"/bases/{base['id']}").status == 404
    assert me.call("tables", "GET", f"/tables/{table.id}").status == 404
    with session_scope() as session:
        # Grants on the base's tables go with it (they have no foreign key to cascade through).
        assert session.scalars(select(Grant).where(Grant.scope_id == table.id)).all() == []
    assert [t for t, _ in _events(workspace_id, "base.")] == ["base.created", "base.updated", "base.deleted"]


def test_new_table_has_primary_field_and_grid_view(api: Api) -> None:
    owner = make_user()
    base_id = make_base(make_workspace(owner))
    created = api.as_user(owner.token).call(
        "tables", "POST", f"/bases/{base_id}/tables", body={"name": "Drawings", "description": "All DXFs"}
    )
    assert created.status == 201, created.text
    table = created.json()
    assert table["id"].startswith("tbl") and table["description"] == "All DXFs" and table["position"] == 0
    with session_scope() as session:
        fields = session.scalars(select(Field).where(Field.table_id == table["id"])).all()
        views = session.scalars(select(View).where(View.table_id == table["id"])).all()
    text = get_field_type("text").name  # "text" as the field registry spells it
    assert [(f.id, f.name, f.type) for f in fields] == [(table["primary_field_id"], "Name", text)]
    assert [(v.name, v.type) for v in views] == [("Grid view", "grid")]
    detail = api.as_user(owner.token).call("tables", "GET", f"/tables/{table['id']}").json()
    assert detail["fields"] == [{"id": table["primary_field_id"], "name": "Name", "type": text}]
    assert detail["views"] == [{"id": views[0].id, "name": "Grid view", "type": "grid"}]
    workspace_id = _workspace_of(base_id)
    [(kind, payload)] = _events(workspace_id, "table.")
    assert kind == "table.created"
    assert payload == {"name": "Drawings", "primary_field_id": table["primary_field_id"], "view_id": views[0].id}
    assert [t for t, _ in _events(workspace_id, "field.created")] == ["field.created"]
    assert [t for t, _ in _events(workspace_id, "view.created")] == ["view.created"]
    second = api.as_user(owner.token).call("tables", "POST", f"/bases/{base_id}/tables", body={"name": "Parts"})
    assert second.json()["position"] == 1


def _workspace_of(base_id: str) -> str:
    from pybase.bases.models import AppBase

    with session_scope() as session:
        return session.get(AppBase, base_id).workspace_id


def test_table_names_are_unique_per_base_until_deleted(api: Api) -> None:
    owner = make_user()
    base_id = make_base(make_workspace(owner))
    me = api.as_user(owner.token)
    first = me.call("tables", "POST", f"/bases/{base_id}/tables", body={"name": "Parts"}).json()
    dup = me.call("tables", "POST", f"/bases/{base_id}/tables", body={"name": " parts "})
    assert dup.status == 409 and dup.json()["error"]["code"] == "duplicate_name"
    assert _table_count(base_id) == 1
    other = me.call("tables", "POST", f"/bases/{base_id}/tables", body={"name": "Drawings"}).json()
    assert me.call("tables", "PATCH", f"/tables/{other['id']}", body={"name": "PARTS"}).status == 409
    assert me.call("tables", "PATCH", f"/tables/{first['id']}", body={"name": "PARTS"}).status == 200
    # The same name in another base is fine.
    other_base = make_base(_workspace_of(base_id))
    assert me.call("tables", "POST", f"/bases/{other_base}/tables", body={"name": "Parts"}).status == 201
    # A deleted table frees its name.
    assert me.call("tables", "DELETE", f"/tables/{first['id']}").status == 204
    assert me.call("tables", "GET", f"/tables/{first['id']}").status == 404
    assert first["id"] not in [t["id"] for t in me.call("tables", "GET", f"/bases/{base_id}/tables").json()]
    assert me.call("tables", "POST", f"/bases/{base_id}/tables", body={"name": "Parts"}).status == 201
    with session_scope() as session:
        assert session.get(Table, first["id"]).deleted_at is not None  # in the trash, not gone
    deleted = [p for t, p in _events(_workspace_of(base_id), "table.deleted")]
    assert deleted == [{"name": "PARTS"}]


def test_table_update(api: Api) -> None:
    owner = make_user()
    base_id = make_base(make_workspace(owner))
    table = make_table(base_id, name="Before")
    me = api.as_user(owner.token)
    response = me.call(
        "tables", "PATCH", f"/tables/{table.id}", body={"name": "After", "description": "d", "position": 3}
    )
    assert response.status == 200
    assert {k: response.json()[k] for k in ("name", "description", "position")} == {
        "name": "After",
        "description": "d",
        "position": 3,
    }
    [(_, payload)] = _events(_workspace_of(base_id), "table.updated")
    assert payload == {"name": "After", "position": 3, "fields": ["description", "name", "position"]}
    assert me.call("tables", "PATCH", f"/tables/{table.id}", body={}).status == 200
    assert len(_events(_workspace_of(base_id), "table.updated")) == 1  # nothing changed, nothing emitted


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("POST", {"name": ""}),
        ("POST", {"name": "x" * 201}),
        ("POST", {"name": "ok", "description": "nul\x00byte"}),
        ("POST", {"name": "ok", "primary_field": "x"}),
        ("POST", {}),
        ("PATCH", {"name": " "}),
        ("PATCH", {"position": -1}),
        ("PATCH", {"name": None, "id": "tblAAAAAAAAAAAAAA"}),
    ],
)
def test_table_bad_input_is_422(api: Api, method: str, body: dict) -> None:
    owner = make_user()
    base_id = make_base(make_workspace(owner))
    table = make_table(base_id, name="Keep")
    path = f"/bases/{base_id}/tables" if method == "POST" else f"/tables/{table.id}"
    response = api.as_user(owner.token).call("tables", method, path, body=body)
    assert response.status == 422, response.text
    assert _table_count(base_id) == 1
    with session_scope() as session:
        assert session.get(Table, table.id).name == "Keep"


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 201}, {}, {"name": "ok", "tables": []}])
def test_base_bad_input_is_422(api: Api, body: dict) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    response = api.as_user(owner.token).call("workspaces", "POST", f"/workspaces/{workspace_id}/bases", body=body)
    assert response.status == 422


# --- grants ----------------------------------------------------------------------------------------


def _put(api: Api, by: TestUser, scope: str, scope_id: str, user_id: str, role: str) -> Any:
    group = "workspaces" if scope == "bases" else "tables"
    return api.as_user(by.token).call(group, "PUT", f"/{scope}/{scope_id}/grants/{user_id}", body={"role": role})


def test_grant_put_list_delete_and_events(api: Api) -> None:
    world = make_world(("owner", "admin"))
    guest = make_user()
    admin = world.users["admin"]
    put = _put(api, admin, "bases", world.base_id, guest.id, "editor")
    assert put.status == 200, put.text
    assert {k: put.json()[k] for k in ("user_id", "scope_type", "scope_id", "role")} == {
        "user_id": guest.id,
        "scope_type": "base",
        "scope_id": world.base_id,
        "role": "editor",
    }
    assert _put(api, admin, "bases", world.base_id, guest.id, "commenter").json()["role"] == "commenter"
    assert _put(api, admin, "bases", world.base_id, guest.id, "commenter").status == 200  # idempotent
    listed = api.as_user(admin.token).call("workspaces", "GET", f"/bases/{world.base_id}/grants").json()
    assert [(g["user_id"], g["role"]) for g in listed] == [(guest.id, "commenter")]
    assert _put(api, admin, "tables", world.table.id, guest.id, "admin").status == 200
    table_grants = api.as_user(admin.token).call("tables", "GET", f"/tables/{world.table.id}/grants").json()
    assert [(g["user_id"], g["scope_type"], g["role"]) for g in table_grants] == [(guest.id, "table", "admin")]
    delete = api.as_user(admin.token).call("workspaces", "DELETE", f"/bases/{world.base_id}/grants/{guest.id}")
    assert delete.status == 204
    again = api.as_user(admin.token).call("workspaces", "DELETE", f"/bases/{world.base_id}/grants/{guest.id}")
    assert again.status == 404
    changes = [p for _, p in _events(world.workspace_id, "grant.changed")]
    assert [(p["user_id"], p["scope_type"], p["role"], p["previous_role"]) for p in changes] == [
        (guest.id, "base", "editor", None),
        (guest.id, "base", "commenter", "editor"),
        (guest.id, "table", "admin", None),
        (guest.id, "base", None, "commenter"),
    ]


def test_grant_rules(api: Api) -> None:
    world = make_world(("owner", "admin", "editor"))
    admin, owner = world.users["admin"], world.users["owner"]
    guest = make_user()
    # Grants stop at admin; unknown users and roles are refused.
    assert _put(api, admin, "bases", world.base_id, guest.id, "owner").status == 422
    assert _put(api, admin, "bases", world.base_id, guest.id, "boss").status == 422
    assert _put(api, admin, "bases", world.base_id, "usr" + "Q" * 14, "viewer").status == 404
    assert _put(api, admin, "bases", world.base_id, "not-a-user", "viewer").status == 404
    # An admin cannot narrow an owner's access; an owner can.
    assert _put(api, admin, "bases", world.base_id, owner.id, "viewer").status == 403
    assert _put(api, admin, "tables", world.table.id, owner.id, "viewer").status == 403
    co_owner = make_user()
    add_member(world.workspace_id, co_owner, "owner")
    assert _put(api, owner, "tables", world.table.id, co_owner.id, "viewer").status == 200
    # A table admin who is not a base admin cannot hand out access to the table.
    editor = world.users["editor"]
    grant("table", world.table.id, editor, "admin")
    assert _put(api, editor, "tables", world.table.id, guest.id, "viewer").status == 403
    with session_scope() as session:
        assert session.scalars(select(Grant).where(Grant.user_id == guest.id)).all() == []


def test_grants_on_another_workspaces_objects_are_404(api: Api) -> None:
    world = make_world(("owner",))
    stranger_owner = make_user()
    make_workspace(stranger_owner)
    response = _put(api, stranger_owner, "bases", world.base_id, stranger_owner.id, "admin")
    assert response.status == 404
    response = _put(api, stranger_owner, "tables", world.table.id, stranger_owner.id, "admin")
    assert response.status == 404


def test_deleting_a_base_or_workspace_drops_its_record_indexes(api: Api) -> None:
    from sqlalchemy import text

    from pybase.fields import service as fields_service

    owner = make_user()
    workspace_id = make_workspace(owner)
    tables = [make_table(make_base(workspace_id)), make_table(make_base(workspace_id))]
    for table in tables:
        with session_scope() as session:
            fields_service.create_field(
                session,
                principal=owner.principal,
                table_id=table.id,
                name="Part",
                type="text",
                options={"indexed": True},
            )

    def index_count(table_id: str) -> int:
        with session_scope() as session:
            # A table's expression indexes live on its own partition of records.
            return session.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE tablename = :p AND indexname LIKE 'rx\\_%'"),
                {"p": f"records_{table_id}"},
            )

    from pybase.records.indexes import build_pending

    for table in tables:  # built outside the request that asked for them
        build_pending(table.id)
    assert all(index_count(t.id) > 0 for t in tables)
    me = api.as_user(owner.token)
    assert me.call("workspaces", "DELETE", f"/bases/{tables[0].base_id}").status == 204
    assert index_count(tables[0].id) == 0 and index_count(tables[1].id) > 0
    assert me.call("workspaces", "DELETE", f"/workspaces/{workspace_id}").status == 204
    assert index_count(tables[1].id) == 0
