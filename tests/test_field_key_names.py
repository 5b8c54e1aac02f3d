"""`field_key=name` on every native record read and write, errors naming fields as the request keyed
them, and `view=` taking a view's name as well as its ID (listing, query body, CSV export)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api
from tests.test_records_helpers import World, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


@pytest.fixture(scope="module")
def table(world: World) -> dict[str, Any]:
    api = Api().as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    r = api.call("tables", "POST", f"/tables/{t.id}/fields", body={"name": "Qty", "type": "number", "options": {}})
    assert r.status == 201, r.text
    primary = api.call("tables", "GET", f"/fields/{t.primary_field_id}").json()["name"]
    return {"id": t.id, "primary": primary, "primary_id": t.primary_field_id, "qty": r.json()["id"]}


def _url(table: dict[str, Any], suffix: str = "") -> str:
    return f"/tables/{table['id']}/records{suffix}"


BY_NAME = {"field_key": "name"}


def test_every_write_and_read_keys_fields_by_name(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    name = table["primary"]
    r = ed.call("records", "POST", _url(table), query=BY_NAME, body={"fields": {name: "one", "Qty": 1}})
    assert r.status == 201, r.text
    one = r.json()
    assert one["fields"] == {name: "one", "Qty": 1}
    r = ed.call("records", "POST", _url(table), query=BY_NAME, body={"records": [{"fields": {name: "two", "Qty": 2}}]})
    assert r.status == 201 and r.json()["records"][0]["fields"] == {name: "two", "Qty": 2}, r.text
    two = r.json()["records"][0]

    r = ed.call("records", "GET", _url(table, f"/{one['id']}"), query=BY_NAME)
    assert r.status == 200 and r.json()["fields"] == {name: "one", "Qty": 1}
    r = ed.call("records", "PATCH", _url(table, f"/{one['id']}"), query=BY_NAME, body={"fields": {"Qty": 3}})
    assert r.status == 200 and r.json()["fields"] == {name: "one", "Qty": 3}, r.text
    r = ed.call("records", "PUT", _url(table, f"/{one['id']}"), query=BY_NAME, body={"fields": {name: "uno"}})
    assert r.status == 200 and r.json()["fields"] == {name: "uno"}, r.text
    batch = {"records": [{"id": two["id"], "fields": {"Qty": 4}}]}
    r = ed.call("records", "PATCH", _url(table), query=BY_NAME, body=batch)
    assert r.status == 200 and r.json()["records"][0]["fields"] == {name: "two", "Qty": 4}, r.text
    batch = {"records": [{"id": two["id"], "fields": {"Qty": 5}}]}
    r = ed.call("records", "PUT", _url(table), query=BY_NAME, body=batch)
    assert r.status == 200 and r.json()["records"][0]["fields"] == {"Qty": 5}, r.text
    r = ed.call("records", "POST", _url(table, "/upsert"), query=BY_NAME, body={
        "merge_on": [name], "records": [{"fields": {name: "uno", "Qty": 6}}, {"fields": {name: "tres", "Qty": 7}}]
    })  # fmt: skip
    assert r.status == 200, r.text
    upserted = r.json()
    assert [rec["fields"] for rec in upserted["records"]] == [{name: "uno", "Qty": 6}, {name: "tres", "Qty": 7}]
    assert upserted["updated_ids"] == [one["id"]] and len(upserted["created_ids"]) == 1

    r = ed.call("records", "GET", _url(table), query={**BY_NAME, "sort": "Qty"})
    assert r.status == 200 and [rec["fields"].get("Qty") for rec in r.json()["records"]] == [5, 6, 7]
    assert all(set(rec["fields"]) <= {name, "Qty"} for rec in r.json()["records"])
    r = ed.call("records", "POST", _url(table, "/query"), body={**BY_NAME, "sort": [{"field": "Qty"}]})
    assert r.status == 200 and r.json()["records"][0]["fields"] == {"Qty": 5}
    # Without field_key the same answers are keyed by field ID.
    r = ed.call("records", "GET", _url(table, f"/{one['id']}"))
    assert r.json()["fields"] == {table["primary_id"]: "uno", table["qty"]: 6}


def test_errors_name_the_field_as_the_request_keyed_it(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    r = ed.call("records", "POST", _url(table), query=BY_NAME, body={"fields": {"Qty": "many"}})
    assert r.status == 422, r.text
    error = r.json()["error"]["details"]["errors"][0]
    assert error["field"] == "Qty" and error["field_id"] == table["qty"]
    r = ed.call("records", "POST", _url(table), body={"fields": {table["qty"]: "many"}})
    error = r.json()["error"]["details"]["errors"][0]
    assert r.status == 422 and error["field"] == table["qty"]
    created = ed.call("records", "POST", _url(table), body={"fields": {table["qty"]: 1}}).json()
    r = ed.call("records", "PATCH", _url(table), query=BY_NAME,
                body={"records": [{"id": created["id"], "fields": {"Qty": "x"}}]})  # fmt: skip
    assert r.status == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "Qty", r.text
    r = ed.call("records", "GET", _url(table), query={"field_key": "label"})
    assert r.status == 422 and r.json()["error"]["code"] == "validation_failed"


def test_view_by_name_or_id(api: Api, world: World, table: dict[str, Any]) -> None:
    owner = api.as_user(world.owner.token)
    for qty in (10, 20, 30):
        assert owner.call("records", "POST", _url(table), body={"fields": {table["qty"]: qty}}).status == 201
    # The saved filter spells the condition's field as `field_id`, the listing as `field`: both work.
    config = {"filters": {"and": [{"field_id": table["qty"], "op": ">=", "value": 20}]},
              "sorts": [{"field_id": table["qty"], "direction": "desc"}]}  # fmt: skip
    view = {"name": "Big ones", "type": "grid", "config": config}
    r = owner.call("tables", "POST", f"/tables/{table['id']}/views", body=view)
    assert r.status == 201, r.text
    view_id = r.json()["id"]

    def listed(view: str) -> list[Any]:
        r = owner.call("records", "GET", _url(table), query={"view": view, "field_key": "name"})
        assert r.status == 200, r.text
        return [rec["fields"].get("Qty") for rec in r.json()["records"]]

    assert listed("Big ones") == listed(view_id) == [30, 20]
    r = owner.call("records", "POST", _url(table, "/query"), body={"view": "Big ones", "field_key": "name"})
    assert r.status == 200 and [rec["fields"]["Qty"] for rec in r.json()["records"]] == [30, 20]
    filtered = {"view": "Big ones", "filter": json.dumps({"field": "Qty", "op": "<", "value": 25}), "field_key": "name"}
    r = owner.call("records", "GET", _url(table), query=filtered)
    assert [rec["fields"]["Qty"] for rec in r.json()["records"]] == [20]
    r = owner.call("records", "GET", f"/tables/{table['id']}/export.csv", query={"view": "Big ones"})
    assert r.status == 200, r.text
    assert [line.split(",")[-1] for line in r.text.strip().splitlines()[1:]] == ["30", "20"]
    for missing in ("No such view", "viwAAAAAAAAAAAAAA"):
        r = owner.call("records", "GET", _url(table), query={"view": missing})
        assert r.status == 404 and r.json()["error"]["code"] == "not_found"
        assert owner.call("records", "GET", f"/tables/{table['id']}/export.csv", query={"view": missing}).status == 404
