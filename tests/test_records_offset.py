"""Records listing with ?offset=: a grid jumping to a far row reads that window directly."""

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
def numbered(world: World) -> dict[str, Any]:
    api = Api()
    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    r = owner.call("tables", "POST", f"/tables/{t.id}/fields", body={"name": "N", "type": "number", "options": {}})
    assert r.status == 201, r.text
    num = r.json()["id"]
    url = f"/tables/{t.id}/records"
    r = owner.call("records", "POST", url, body={"records": [{"fields": {num: i}} for i in range(30)]})
    assert r.status == 201, r.text
    return {"url": url, "num": num}


def _values(body: dict[str, Any], num: str) -> list[Any]:
    return [rec["fields"][num] for rec in body["records"]]


def test_offset_reads_the_window_and_continues_by_cursor(api: Api, world: World, numbered: dict[str, Any]) -> None:
    owner = api.as_user(world.owner.token)
    url, num = numbered["url"], numbered["num"]
    r = owner.call("records", "GET", url, query={"page_size": 5, "offset": 20, "count": "true"})
    assert r.status == 200, r.text
    body = r.json()
    assert _values(body, num) == [20, 21, 22, 23, 24]
    assert body["total"] == 30
    # The page's cursor continues from where the jump landed, so scrolling on stays keyset.
    r = owner.call("records", "GET", url, query={"page_size": 5, "cursor": body["next_cursor"]})
    assert _values(r.json(), num) == [25, 26, 27, 28, 29]
    assert r.json()["next_cursor"] is None


def test_offset_with_sort_filter_and_query_body(api: Api, world: World, numbered: dict[str, Any]) -> None:
    owner = api.as_user(world.owner.token)
    url, num = numbered["url"], numbered["num"]
    r = owner.call("records", "GET", url, query={"page_size": 3, "offset": 2, "sort": f"-{num}"})
    assert _values(r.json(), num) == [27, 26, 25]
    flt = json.dumps({"field": num, "op": "<", "value": 10})
    r = owner.call("records", "GET", url, query={"page_size": 4, "offset": 8, "filter": flt})
    body = r.json()
    assert _values(body, num) == [8, 9] and body["next_cursor"] is None
    r = owner.call("records", "POST", f"{url}/query", body={"page_size": 2, "offset": 28})
    assert r.status == 200, r.text
    assert _values(r.json(), num) == [28, 29]
    r = owner.call("records", "GET", url, query={"page_size": 5, "offset": 100})
    body = r.json()
    assert body["records"] == [] and body["next_cursor"] is None


@pytest.mark.parametrize("query", [{"offset": -1}, {"offset": "x"}, {"offset": 5, "cursor": "abc"}])
def test_bad_offset_is_a_4xx(api: Api, world: World, numbered: dict[str, Any], query: dict[str, Any]) -> None:
    r = api.as_user(world.owner.token).call("records", "GET", numbered["url"], query=query)
    assert 400 <= r.status < 500, r.text
    assert "error" in r.json()
