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


def test_grouped_grid_listing_counts_every_group_in_order(api: Api) -> None:
    """group_counts=true gives every group of the view's first grouping key with its size, in the
    order the listing returns the rows, so a grid can place group headers by position."""
    world = make_world()
    seed(api, world)
    f = world.fields
    extra = world.api(api, "editor").call(
        "records", "POST", f"/tables/{world.table_id}/records", body={"records": [{"fields": {f["Name"]: "echo"}}]}
    )
    assert extra.status == 201, extra.text
    config = {"group_by": [f["Status"]], "filters": {"field": "Qty", "op": "!=", "value": 1}}
    view_id = make_view(api, world, "By status", config)

    def page(**query: Any) -> dict[str, Any]:
        response = world.api(api, "viewer").call(
            "records", "GET", f"/tables/{world.table_id}/records", query={"view": view_id, **query}
        )
        assert response.status == 200, response.text
        return response.json()

    whole = page(page_size=100)
    assert "group_counts" not in whole  # only on request
    counted = page(page_size=1, group_counts="true", count="true")
    assert counted["total"] == 4
    groups = counted["group_counts"]
    assert groups["field_id"] == f["Status"] and groups["truncated"] is False
    # The groups follow the listing's order (option order, empty last) and cover every row of it.
    order = [r["fields"].get(f["Status"]) for r in whole["records"]]
    expected: list[dict[str, Any]] = []
    for value in order:
        if expected and expected[-1]["value"] == value:
            expected[-1]["count"] += 1
        else:
            expected.append({"value": value, "count": 1})
    assert groups["groups"] == expected
    assert [g["count"] for g in expected] == [2, 1, 1] and expected[-1]["value"] is None
    # A later page (cursor) counts the same groups.
    assert page(page_size=1, group_counts="true", cursor=counted["next_cursor"])["group_counts"] == groups
    # A view that does not group has none.
    plain = make_view(api, world, "Plain", {})
    response = world.api(api, "viewer").call(
        "records", "GET", f"/tables/{world.table_id}/records", query={"view": plain, "group_counts": "true"}
    )
    assert response.status == 200 and "group_counts" not in response.json()
