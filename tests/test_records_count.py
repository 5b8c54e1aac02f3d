"""GET /tables/{tableId}/records/count: the listing's total without its rows, same filter and view rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import make_api_token, make_user
from tests.test_records_helpers import World, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


@pytest.fixture(scope="module")
def table(world: World) -> dict[str, Any]:
    api = Api()
    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    qty = owner.call(
        "tables", "POST", f"/tables/{t.id}/fields", body={"name": "Qty", "type": "number", "options": {"precision": 0}}
    ).json()["id"]
    rows = [{"fields": {t.primary_field_id: f"r{i}", qty: i}} for i in range(25)]
    created = owner.call("records", "POST", f"/tables/{t.id}/records", body={"records": rows})
    assert created.status == 201, created.text
    view = owner.call(
        "tables", "POST", f"/tables/{t.id}/views",
        body={"name": "Big", "type": "grid", "config": {"filters": {"field": qty, "op": ">=", "value": 10}}},
    )  # fmt: skip
    assert view.status == 201, view.text
    return {"id": t.id, "qty": qty, "view": view.json()["id"], "ids": [r["id"] for r in created.json()["records"]]}


def _count(api: Api, token: str, table_id: str, **query: Any) -> Any:
    return api.as_user(token).call("records", "GET", f"/tables/{table_id}/records/count", query=query)


def _listed_total(api: Api, token: str, table_id: str, **query: Any) -> int:
    page = api.as_user(token).call(
        "records", "GET", f"/tables/{table_id}/records", query={"page_size": 1, "count": "true", **query}
    )
    assert page.status == 200, page.text
    return page.json()["total"]


def test_count_matches_the_listing_total(api: Api, world: World, table: dict[str, Any]) -> None:
    viewer = world.users["viewer"].token
    under_five = json.dumps({"field": table["qty"], "op": "<", "value": 5})
    for query in ({}, {"filter": under_five}, {"view": table["view"]}, {"view": table["view"], "filter": under_five}):
        response = _count(api, viewer, table["id"], **query)
        assert response.status == 200, response.text
        assert response.json() == {"count": _listed_total(api, viewer, table["id"], **query)}
    assert _count(api, viewer, table["id"]).json() == {"count": 25}
    assert _count(api, viewer, table["id"], filter=under_five).json() == {"count": 5}
    assert _count(api, viewer, table["id"], view=table["view"]).json() == {"count": 15}
    assert _count(api, viewer, table["id"], view="Big").json() == {"count": 15}  # a view's name works too
    assert _count(api, viewer, table["id"], view=table["view"], filter=under_five).json() == {"count": 0}


def test_count_leaves_out_deleted_records(api: Api, world: World, table: dict[str, Any]) -> None:
    editor = api.as_user(world.users["editor"].token)
    extra = editor.call("records", "POST", f"/tables/{table['id']}/records", body={"fields": {table["qty"]: 99}})
    assert _count(api, world.owner.token, table["id"]).json() == {"count": 26}
    assert editor.call("records", "DELETE", f"/tables/{table['id']}/records/{extra.json()['id']}").status == 200
    assert _count(api, world.owner.token, table["id"]).json() == {"count": 25}


def test_count_with_an_api_token(api: Api, world: World, table: dict[str, Any]) -> None:
    secret = make_api_token(world.users["viewer"], scope="read")
    assert _count(api, secret, table["id"]).json() == {"count": 25}
    limited = make_api_token(world.owner, scope="read", base_ids=[world.base_id])
    assert _count(api, limited, table["id"]).json() == {"count": 25}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"filter": "{not json"}, 400, "bad_request"),
        ({"filter": json.dumps({"field": "Nope", "op": "=", "value": 1})}, 422, "validation_failed"),
        ({"view": "viwNope"}, 404, "not_found"),
    ],
)
def test_bad_count_requests(
    api: Api, world: World, table: dict[str, Any], query: dict[str, str], status: int, code: str
) -> None:
    response = _count(api, world.owner.token, table["id"], **query)
    assert response.status == status, response.text
    assert response.json()["error"]["code"] == code


def test_count_needs_access(api: Api, world: World, table: dict[str, Any]) -> None:
    assert api.call("records", "GET", f"/tables/{table['id']}/records/count").status == 401
    assert _count(api, world.outsider.token, table["id"]).status == 404
    assert _count(api, make_user().token, "tblNotThere12345").status == 404


def test_count_is_documented(api: Api) -> None:
    from pybase.routegroups import build_app

    document = build_app("records").openapi()
    operation = document["paths"]["/tables/{table_id}/records/count"]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/RecordCount")
    assert document["components"]["schemas"]["RecordCount"]["properties"]["count"]["type"] == "integer"
    assert {"400", "401", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"table_id", "filter", "view"}


def test_a_view_of_another_table_is_not_found(api: Api, world: World, table: dict[str, Any]) -> None:
    other = make_table(world.base_id, by=world.owner)
    owner = api.as_user(world.owner.token)
    view = owner.call("tables", "POST", f"/tables/{other.id}/views", body={"name": "Elsewhere", "type": "grid"})
    assert view.status == 201, view.text
    for path in ("records", "records/count"):
        response = owner.call("records", "GET", f"/tables/{table['id']}/{path}", query={"view": view.json()["id"]})
        assert response.status == 404, response.text
        assert response.json()["error"] == {
            "code": "not_found",
            "message": "View not found",
            "details": {"id": view.json()["id"]},
        }
    # Nor by its name; this table's own view is found.
    assert _count(api, world.owner.token, table["id"], view="Elsewhere").status == 404
    assert _count(api, world.owner.token, table["id"], view=table["view"]).json() == {"count": 15}
