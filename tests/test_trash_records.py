"""Trash with the real records and fields APIs: deleted records and fields come back with their values."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.test_views_support import World, events, make_world


def create_record(api: Api, world: World, fields: dict[str, Any]) -> dict[str, Any]:
    response = world.api(api, "editor").call(
        "records", "POST", f"/tables/{world.table_id}/records", body={"fields": fields}
    )
    assert response.status == 201, response.text
    body = response.json()
    return body["records"][0] if "records" in body else body


def get_record(api: Api, world: World, record_id: str) -> Any:
    return world.api(api, "viewer").call("records", "GET", f"/tables/{world.table_id}/records/{record_id}")


def test_deleted_record_is_listed_and_restored_with_values_and_comments(api: Api) -> None:
    world = make_world()
    f = world.fields
    record = create_record(api, world, {f["Name"]: "Flange", f["Qty"]: 4})
    rid = record["id"]
    comments = f"/tables/{world.table_id}/records/{rid}/comments"
    assert world.api(api, "commenter").call("records", "POST", comments, body={"text": "check size"}).status == 201
    deleted = world.api(api, "editor").call("records", "DELETE", f"/tables/{world.table_id}/records/{rid}")
    assert deleted.status == 200, deleted.text
    assert get_record(api, world, rid).status == 404
    assert world.api(api, "viewer").call("records", "GET", comments).status == 404
    items = world.api(api, "editor").call("tables", "GET", f"/bases/{world.base_id}/trash", query={"kind": "record"})
    assert [(i["id"], i["name"]) for i in items.json()["items"]] == [(rid, "Flange")]
    assert world.api(api, "viewer").call("tables", "POST", f"/trash/record/{rid}/restore").status == 403
    restored = world.api(api, "editor").call("tables", "POST", f"/trash/records/{rid}/restore")
    assert restored.status == 200, restored.text
    again = get_record(api, world, rid)
    assert again.status == 200
    assert again.json()["fields"][f["Name"]] == "Flange" and again.json()["fields"][f["Qty"]] == 4
    assert again.json()["version"] > record["version"]
    listed = world.api(api, "viewer").call("records", "GET", comments).json()["comments"]
    assert [c["text"] for c in listed] == ["check size"]
    assert any(rid in e.payload.get("record_ids", []) for e in events(world.table_id, "records.restored"))
    assert world.api(api, "editor").call("tables", "POST", f"/trash/record/{rid}/restore").status == 404


def test_deleted_field_comes_back_with_its_values(api: Api) -> None:
    world = make_world()
    f = world.fields
    rid = create_record(api, world, {f["Name"]: "Shaft", f["Qty"]: 12})["id"]
    assert world.api(api, "admin").call("tables", "DELETE", f"/fields/{f['Qty']}").status == 200
    assert f["Qty"] not in get_record(api, world, rid).json()["fields"]
    kinds = [
        (i["kind"], i["id"])
        for i in world.api(api, "admin").call("tables", "GET", f"/bases/{world.base_id}/trash").json()["items"]
    ]
    assert ("field", f["Qty"]) in kinds
    restored = world.api(api, "admin").call("tables", "POST", f"/trash/field/{f['Qty']}/restore")
    assert restored.status == 200, restored.text
    assert get_record(api, world, rid).json()["fields"][f["Qty"]] == 12


def test_restored_table_brings_its_records(api: Api) -> None:
    world = make_world()
    rid = create_record(api, world, {world.fields["Name"]: "Bolt"})["id"]
    assert world.api(api, "admin").call("tables", "DELETE", f"/tables/{world.table_id}").status in (200, 204)
    assert get_record(api, world, rid).status == 404
    # Records of a trashed table are not listed one by one: they come back with the table.
    items = world.api(api, "admin").call("tables", "GET", f"/bases/{world.base_id}/trash").json()["items"]
    assert [(i["kind"], i["id"]) for i in items] == [("table", world.table_id)]
    assert world.api(api, "admin").call("tables", "POST", f"/trash/table/{world.table_id}/restore").status == 200
    assert get_record(api, world, rid).json()["fields"][world.fields["Name"]] == "Bolt"
