"""Trash of tables, fields and views: listing a base's trash, restoring, roles, retention."""

from __future__ import annotations

from typing import Any

from pybase.db import session_scope
from pybase.fields.models import Field
from pybase.tables.models import Table
from pybase.views.models import View
from tests.conftest import Api
from tests.test_views_support import World, add_table, events, grant, load, make_user, make_world, soft_delete


def trash(api: Api, world: World, role: str = "editor", **query: Any) -> Any:
    return world.api(api, role).call("tables", "GET", f"/bases/{world.base_id}/trash", query=query or None)


def restore(api: Api, world: World, kind: str, object_id: str, role: str = "admin") -> Any:
    return world.api(api, role).call("tables", "POST", f"/trash/{kind}/{object_id}/restore")


def new_view(api: Api, world: World, name: str, table_id: str | None = None) -> str:
    response = world.api(api, "editor").call(
        "tables", "POST", f"/tables/{table_id or world.table_id}/views", body={"name": name}
    )
    assert response.status == 201, response.text
    return response.json()["id"]


def test_deleted_view_field_and_table_are_listed_newest_first(api: Api) -> None:
    world = make_world()
    view_id = new_view(api, world, "Doomed view")
    assert world.api(api, "editor").call("tables", "DELETE", f"/views/{view_id}").status == 200
    soft_delete(Field, world.fields["Notes"])
    other = add_table(world, "Suppliers")
    assert world.api(api, "admin").call("tables", "DELETE", f"/tables/{other}").status in (200, 204)
    response = trash(api, world)
    assert response.status == 200, response.text
    items = response.json()["items"]
    assert [(i["kind"], i["id"]) for i in items] == [
        ("table", other),
        ("field", world.fields["Notes"]),
        ("view", view_id),
    ]
    view_item = items[2]
    assert view_item["name"] == "Doomed view" and view_item["table_name"] == "Parts"
    assert view_item["can_restore"] is True
    assert items[0]["can_restore"] is False  # editors cannot restore tables
    assert trash(api, world, kind="views").json()["items"][0]["id"] == view_id


def test_who_may_see_the_trash(api: Api) -> None:
    world = make_world()
    assert trash(api, world, role="viewer").status == 403
    assert trash(api, world, role="commenter").status == 403
    assert trash(api, world, role="outsider").status == 404
    assert trash(api, world, role="owner").status == 200
    # A viewer of the workspace made editor on one table sees that table's items only.
    hidden_view = new_view(api, world, "Not yours")
    second = add_table(world, "Second")
    their_view = new_view(api, world, "Yours", table_id=second)
    for vid in (hidden_view, their_view):
        world.api(api, "editor").call("tables", "DELETE", f"/views/{vid}")
    grant(world, world.users["viewer"], second, "editor")
    items = trash(api, world, role="viewer").json()["items"]
    assert [i["id"] for i in items] == [their_view]


def test_restore_view_with_name_clash_and_event(api: Api) -> None:
    world = make_world()
    view_id = new_view(api, world, "Weekly")
    world.api(api, "editor").call("tables", "DELETE", f"/views/{view_id}")
    new_view(api, world, "Weekly")
    response = restore(api, world, "view", view_id, role="editor")
    assert response.status == 200, response.text
    assert response.json()["name"] == "Weekly (2)"
    names = [
        v["name"]
        for v in world.api(api, "viewer").call("tables", "GET", f"/tables/{world.table_id}/views").json()["views"]
    ]
    assert "Weekly (2)" in names and "Weekly" in names
    assert any(e.payload.get("view_id") == view_id for e in events(world.table_id, "view.restored"))
    assert trash(api, world, kind="view").json()["items"] == []
    # Restoring again: it is no longer in the trash.
    again = restore(api, world, "views", view_id, role="editor")
    assert again.status == 409 and again.json()["error"]["code"] == "not_in_trash"


def test_restore_field_needs_admin_and_a_live_table(api: Api) -> None:
    world = make_world()
    fid = world.fields["Qty"]
    soft_delete(Field, fid)
    assert restore(api, world, "field", fid, role="editor").status == 403
    soft_delete(Table, world.table_id)
    blocked = restore(api, world, "field", fid)
    assert blocked.status == 409 and blocked.json()["error"]["code"] == "table_in_trash"
    # While its table is in the trash, the field is not listed separately (it comes back with the table).
    assert [i["kind"] for i in trash(api, world).json()["items"]] == ["table"]
    assert restore(api, world, "table", world.table_id, role="editor").status == 403
    back = restore(api, world, "table", world.table_id)
    assert back.status == 200, back.text
    assert load(Table, world.table_id).deleted_at is None
    ok = restore(api, world, "field", fid)
    assert ok.status == 200 and ok.json()["field_id"] == fid
    assert load(Field, fid).deleted_at is None
    assert any(e.type == "table.restored" for e in events(world.table_id))
    assert any(e.payload.get("field_id") == fid for e in events(world.table_id, "field.restored"))


def test_restored_table_and_field_get_free_names(api: Api) -> None:
    world = make_world()
    soft_delete(Field, world.fields["Notes"])
    with_same_name = Field(table_id=world.table_id, name="notes", type="long_text", options={}, position=50)
    with session_scope() as session:
        session.add(with_same_name)
    assert restore(api, world, "field", world.fields["Notes"]).json()["name"] == "Notes (restored)"
    other = add_table(world, "Log")
    soft_delete(Table, other)
    add_table(world, "Log")
    assert restore(api, world, "table", other).json()["name"] == "Log (2)"


def test_older_than_thirty_days_is_gone_from_trash(api: Api) -> None:
    world = make_world()
    old_view = new_view(api, world, "Ancient")
    soft_delete(View, old_view, days_ago=31)
    recent = new_view(api, world, "Recent")
    soft_delete(View, recent, days_ago=29)
    ids = [i["id"] for i in trash(api, world).json()["items"]]
    assert ids == [recent]
    expired = restore(api, world, "view", old_view, role="editor")
    assert expired.status == 404 and expired.json()["error"]["code"] == "trash_expired"
    assert restore(api, world, "view", recent, role="editor").status == 200


def test_bad_kind_id_and_cursor(api: Api) -> None:
    world = make_world()
    assert restore(api, world, "widgets", "viwAAAAAAAAAAAAAA").status == 404
    assert restore(api, world, "view", "nonsense").status == 404
    assert restore(api, world, "view", "viwAAAAAAAAAAAAAA").status == 404
    assert restore(api, world, "field", world.fields["Name"]).status == 409  # live, not in the trash
    assert trash(api, world, cursor="!!!").status == 400
    assert trash(api, world, kind="widgets").status == 400
    assert trash(api, world, limit=0).status == 422
    stranger, token = make_user("stranger")
    view_id = new_view(api, world, "Private")
    world.api(api, "editor").call("tables", "DELETE", f"/views/{view_id}")
    assert api.as_user(token).call("tables", "POST", f"/trash/view/{view_id}/restore").status == 404
    assert stranger


def test_pagination_walks_every_item_once(api: Api) -> None:
    world = make_world()
    made = [new_view(api, world, f"V{i}") for i in range(5)]
    for i, vid in enumerate(made):
        soft_delete(View, vid, days_ago=i / 10)
    for fid in (world.fields["Qty"], world.fields["Notes"]):
        soft_delete(Field, fid, days_ago=0.25)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query: dict[str, Any] = {"limit": 2}
        if cursor:
            query["cursor"] = cursor
        body = trash(api, world, **query).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([*made, world.fields["Qty"], world.fields["Notes"]])
    assert len(seen) == len(set(seen)) == 7 and pages == 4
