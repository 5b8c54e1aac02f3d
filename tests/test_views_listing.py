"""Listing records through saved views (GET /tables/{id}/records?view=...) and indexes made on save."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pybase.db import session_scope
from pybase.records.models import RecordIndex
from tests.conftest import Api
from tests.test_views_support import World, make_world


def seed(api: Api, world: World) -> list[str]:
    f = world.fields
    rows = [
        {f["Name"]: "alpha", f["Qty"]: 5, f["Status"]: "Todo", f["Notes"]: "a"},
        {f["Name"]: "bravo", f["Qty"]: 1, f["Status"]: "Done", f["Notes"]: "b"},
        {f["Name"]: "charlie", f["Qty"]: 9, f["Status"]: "Done", f["Notes"]: "c"},
        {f["Name"]: "delta", f["Qty"]: 7, f["Status"]: "Todo", f["Notes"]: "d"},
    ]
    response = world.api(api, "editor").call(
        "records", "POST", f"/tables/{world.table_id}/records", body={"records": [{"fields": r} for r in rows]}
    )
    assert response.status == 201, response.text
    return [r["id"] for r in response.json()["records"]]


def make_view(api: Api, world: World, name: str, config: dict[str, Any], type: str = "grid") -> str:
    response = world.api(api, "editor").call(
        "tables", "POST", f"/tables/{world.table_id}/views", body={"name": name, "type": type, "config": config}
    )
    assert response.status == 201, response.text
    return response.json()["id"]


def listing(api: Api, world: World, view_id: str) -> list[dict[str, Any]]:
    response = world.api(api, "viewer").call(
        "records", "GET", f"/tables/{world.table_id}/records", query={"view": view_id}
    )
    assert response.status == 200, response.text
    return response.json()["records"]


def test_grid_view_filters_sorts_and_hides(api: Api) -> None:
    world = make_world()
    seed(api, world)
    f = world.fields
    view_id = make_view(
        api,
        world,
        "Big first",
        {
            "filters": {"field": "Qty", "op": ">", "value": 2},
            "sorts": [{"field_id": f["Qty"], "direction": "desc"}],
            "hidden_fields": [f["Notes"]],
            "field_order": [f["Qty"], f["Name"]],
        },
    )
    records = listing(api, world, view_id)
    assert [r["fields"][f["Name"]] for r in records] == ["charlie", "delta", "alpha"]
    assert all(f["Notes"] not in r["fields"] for r in records)
    assert list(records[0]["fields"])[:2] == [f["Qty"], f["Name"]]
    # After the filtered field is deleted, the view still lists (without that condition).
    assert world.api(api, "admin").call("tables", "DELETE", f"/fields/{f['Qty']}").status == 200
    assert len(listing(api, world, view_id)) == 4


def test_saving_a_view_requests_the_indexes_its_listing_uses(api: Api) -> None:
    world = make_world()
    f = world.fields
    make_view(
        api,
        world,
        "Indexed",
        {"filters": {"field": f["Qty"], "op": ">", "value": 2}, "sorts": [{"field": "Due", "direction": "desc"}]},
    )
    with session_scope() as session:
        indexed = set(session.scalars(select(RecordIndex.field_id).where(RecordIndex.table_id == world.table_id)))
    assert {f["Qty"], f["Due"]} <= indexed
