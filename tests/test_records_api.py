"""Records API end to end through the records handler, on real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from tests.conftest import Api
from tests.test_records_helpers import World, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _field(api: Api, token: str, table_id: str, name: str, type: str, **options: Any) -> str:
    r = api.as_user(token).call(
        "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type, "options": options}
    )
    assert r.status == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def table(world: World) -> dict[str, Any]:
    api = Api()
    owner = world.owner.token
    t = make_table(world.base_id, by=world.owner)
    ids = {
        "name": t.primary_field_id,
        "qty": _field(api, owner, t.id, "Qty", "number", precision=2),
        "due": _field(api, owner, t.id, "Due", "date"),
        "status": _field(api, owner, t.id, "Status", "single_select", choices=["Todo", "Done"]),
    }
    return {"id": t.id, "fields": ids}


def test_create_get_patch_put_delete(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    f = table["fields"]
    r = ed.call("records", "POST", f"/tables/{table['id']}/records", body={"fields": {f["name"]: "a", f["qty"]: 1.234}})
    assert r.status == 201, r.text
    rec = r.json()
    assert rec["fields"] == {f["name"]: "a", f["qty"]: 1.23}
    assert r.headers["etag"] == '"1"'
    rid = rec["id"]
    r = ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}")
    assert r.status == 200 and r.json()["fields"][f["qty"]] == 1.23
    r = ed.call("records", "PATCH", f"/tables/{table['id']}/records/{rid}", body={"fields": {"Status": "Done"}})
    assert r.status == 200, r.text
    assert r.json()["fields"] == {f["name"]: "a", f["qty"]: 1.23, f["status"]: "Done"}
    assert r.headers["etag"] == '"2"'
    r = ed.call("records", "PUT", f"/tables/{table['id']}/records/{rid}", body={"fields": {f["qty"]: 5}})
    assert r.status == 200 and r.json()["fields"] == {f["qty"]: 5}
    r = ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}/history")
    assert r.status == 200
    assert [e["action"] for e in r.json()["entries"]] == ["updated", "updated"]
    assert r.json()["entries"][1]["changes"][f["status"]] == {"field_name": "Status", "from": None, "to": "Done"}
    r = ed.call("records", "DELETE", f"/tables/{table['id']}/records/{rid}")
    assert r.status == 200
    assert ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}").status == 404


def _url(table: dict[str, Any], suffix: str = "") -> str:
    return f"/tables/{table['id']}/records{suffix}"


def test_batch_create_update_delete_and_events(api: Api, world: World, table: dict[str, Any]) -> None:
    from sqlalchemy import select

    from pybase.db import session_scope
    from pybase.events.models import ChangeEvent

    ed = api.as_user(world.users["editor"].token)
    f = table["fields"]
    r = ed.call("records", "POST", _url(table), body={"records": [{"fields": {f["qty"]: i}} for i in range(50)]})
    assert r.status == 201, r.text
    created = r.json()["records"]
    assert len(created) == 50
    ids = [rec["id"] for rec in created]
    r = ed.call(
        "records",
        "PATCH",
        _url(table),
        body={"records": [{"id": rid, "fields": {f["name"]: f"n{i}"}} for i, rid in enumerate(ids)]},
    )
    assert r.status == 200, r.text
    assert r.json()["records"][3]["fields"] == {f["qty"]: 3, f["name"]: "n3"}
    assert r.json()["records"][3]["version"] == 2
    r = ed.call("records", "PUT", _url(table), body={"records": [{"id": ids[0], "fields": {f["name"]: "only"}}]})
    assert r.json()["records"][0]["fields"] == {f["name"]: "only"}
    r = ed.call("records", "DELETE", _url(table), body={"records": ids[:10]})
    assert r.status == 200 and r.json()["deleted"] == ids[:10]
    with session_scope() as s:
        events = list(
            s.scalars(
                select(ChangeEvent).where(ChangeEvent.table_id == table["id"]).order_by(ChangeEvent.id.desc()).limit(4)
            )
        )
    types = [e.type for e in events]
    assert types[:4] == ["records.deleted", "records.updated", "records.updated", "records.created"]
    assert events[0].payload == {"record_ids": ids[:10]}
    assert events[1].payload["records"][0]["fields"] == {f["name"]: "only", f["qty"]: None}
    assert set(events[2].payload["record_ids"]) == set(ids) and events[2].payload["field_ids"] == [f["name"]]
    assert "records" not in events[3].payload  # 50 records: IDs only


def _count(table_id: str) -> int:
    from sqlalchemy import text

    from pybase.db import session_scope

    with session_scope() as s:
        return s.scalar(text("SELECT count(*) FROM records WHERE table_id = :t"), {"t": table_id})


def test_batch_all_or_nothing(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    f = table["fields"]
    before = _count(table["id"])
    batch = [{"fields": {f["qty"]: i, f["due"]: "2024-01-01"}} for i in range(1000)]
    batch[737]["fields"][f["due"]] = "not a date"
    r = ed.call("records", "POST", _url(table), body={"records": batch})
    assert r.status == 422
    err = r.json()["error"]
    assert err["details"]["errors"] == [
        {"index": 737, "field": f["due"], "field_id": f["due"], "message": err["details"]["errors"][0]["message"]}
    ]
    assert _count(table["id"]) == before
    batch[737]["fields"][f["due"]] = "2024-01-02"
    r = ed.call("records", "POST", _url(table), body={"records": [*batch, {"fields": {}}]})
    assert r.status == 413 and r.json()["error"]["code"] == "payload_too_large"
    r = ed.call("records", "POST", _url(table), body={"records": batch})
    assert r.status == 201 and _count(table["id"]) == before + 1000
    ids = [rec["id"] for rec in r.json()["records"]]
    # a batch update with one missing record writes nothing
    updates = [{"id": rid, "fields": {f["qty"]: -1}} for rid in ids[:5]] + [{"id": "recAAAAAAAAAAAAAA", "fields": {}}]
    r = ed.call("records", "PATCH", _url(table), body={"records": updates})
    assert r.status == 404
    got = ed.call("records", "GET", _url(table, f"/{ids[0]}")).json()
    assert got["fields"][f["qty"]] == 0 and got["version"] == 1
    r = ed.call("records", "DELETE", _url(table), body={"records": [ids[0], "recAAAAAAAAAAAAAA"]})
    assert r.status == 404
    assert ed.call("records", "GET", _url(table, f"/{ids[0]}")).status == 200


def test_if_match_with_two_concurrent_writers(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    f = table["fields"]
    rec = ed.call("records", "POST", _url(table), body={"fields": {f["qty"]: 1}}).json()
    etag = ed.call("records", "GET", _url(table, f"/{rec['id']}")).headers["etag"]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def writer(slot: int) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum runs the app on the thread's loop
        barrier.wait()
        results[slot] = ed.call(
            "records", "PATCH", _url(table, f"/{rec['id']}"), body={"fields": {f["qty"]: 100 + slot}},
            headers={"If-Match": etag},
        )  # fmt: skip

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 412], [r.text for r in results]
    winner = next(r for r in results if r.status == 200)
    loser = next(r for r in results if r.status == 412)
    assert loser.json()["error"]["code"] == "precondition_failed"
    final = ed.call("records", "GET", _url(table, f"/{rec['id']}"))
    assert final.json()["fields"][f["qty"]] == winner.json()["fields"][f["qty"]]
    assert final.json()["version"] == 2 and final.headers["etag"] == '"2"'
    # a stale ETag on PUT and DELETE fails too and changes nothing
    for method in ("PUT", "DELETE"):
        r = ed.call("records", method, _url(table, f"/{rec['id']}"), body={"fields": {}}, headers={"If-Match": etag})
        assert r.status == 412, r.text
    assert ed.call("records", "GET", _url(table, f"/{rec['id']}")).json()["version"] == 2
    # batch updates carry versions too
    r = ed.call("records", "PATCH", _url(table), body={"records": [{"id": rec["id"], "version": 1, "fields": {}}]})
    assert r.status == 412 and r.json()["error"]["details"]["stale"][0]["current"] == 2


def test_upsert_merges_on_fields(api: Api, world: World) -> None:
    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    sku = _field(api, world.owner.token, t.id, "SKU", "single_line_text")
    qty = _field(api, world.owner.token, t.id, "Qty", "number")
    url = f"/tables/{t.id}/records"
    first = owner.call("records", "POST", url, body={"records": [{"fields": {"SKU": "A", "Qty": 1}}]}).json()[
        "records"
    ][0]
    body = {"merge_on": ["SKU"], "records": [{"fields": {"SKU": "A", "Qty": 5}}, {"fields": {"SKU": "B", "Qty": 7}}]}
    r = owner.call("records", "POST", f"{url}/upsert", body=body)
    assert r.status == 200, r.text
    out = r.json()
    assert out["updated_ids"] == [first["id"]] and len(out["created_ids"]) == 1
    assert [rec["fields"][qty] for rec in out["records"]] == [5, 7]
    assert out["records"][0]["fields"][sku] == "A"
    dup = {"merge_on": ["SKU"], "records": [{"fields": {"SKU": "C"}}, {"fields": {"SKU": "C"}}]}
    assert owner.call("records", "POST", f"{url}/upsert", body=dup).status == 422
    missing = {"merge_on": ["SKU"], "records": [{"fields": {"Qty": 1}}]}
    assert owner.call("records", "POST", f"{url}/upsert", body=missing).status == 422


def test_listing_returns_change_log_position_for_catch_up(api: Api, world: World) -> None:
    """A client that subscribes with the listing's event_id gets every later change, none before."""
    from pybase.db import session_scope
    from pybase.realtime.service import replay

    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    url = f"/tables/{t.id}/records"
    first = owner.call("records", "POST", url, body={"fields": {"Name": "before"}, "typecast": True}).json()
    listed = owner.call("records", "GET", url).json()
    assert isinstance(listed["event_id"], int) and listed["event_id"] > 0
    assert [r["id"] for r in listed["records"]] == [first["id"]]
    # A change between the read and the subscription: replayed from the position, the earlier one not.
    later = owner.call("records", "POST", url, body={"fields": {"Name": "after"}, "typecast": True}).json()
    with session_scope() as s:
        missed = replay(s, scope=f"table:{t.id}", after_id=listed["event_id"])
    assert missed
    assert all(first["id"] not in json.dumps(e) for e in missed)
    assert any(later["id"] in json.dumps(e) for e in missed)
    # An empty log reads as 0 (subscribe from the beginning).
    empty = make_table(world.base_id, by=world.owner)
    assert owner.call("records", "GET", f"/tables/{empty.id}/records").json()["event_id"] == 0


def test_listing_pages_fields_count_and_view(api: Api, world: World) -> None:
    from pybase.db import session_scope
    from pybase.views.models import View

    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    num = _field(api, world.owner.token, t.id, "N", "number")
    tag = _field(api, world.owner.token, t.id, "Tag", "single_select", choices=["x", "y"])
    url = f"/tables/{t.id}/records"
    owner.call("records", "POST", url, body={"records": [{"fields": {num: i, tag: "xy"[i % 2]}} for i in range(25)]})
    r = owner.call("records", "GET", url, query={"page_size": 10, "count": "true", "sort": f"-{num}", "fields": num})
    body = r.json()
    assert body["total"] == 25 and [rec["fields"][num] for rec in body["records"]] == list(range(24, 14, -1))
    assert all(set(rec["fields"]) == {num} for rec in body["records"])
    r2 = owner.call("records", "GET", url, query={"page_size": 10, "sort": f"-{num}", "cursor": body["next_cursor"]})
    assert [rec["fields"][num] for rec in r2.json()["records"]] == list(range(14, 4, -1))
    assert "total" not in r2.json()
    q = owner.call(
        "records", "POST", f"{url}/query",
        body={"filter": {"field": "Tag", "op": "is", "value": "y"}, "sort": [{"field": "N", "direction": "asc"}],
              "page_size": 3, "field_key": "name"},
    )  # fmt: skip
    assert [rec["fields"]["N"] for rec in q.json()["records"]] == [1, 3, 5]
    with session_scope() as s:
        view = View(
            table_id=t.id, name="Odd", type="grid",
            config={
                "filters": {"and": [{"field": tag, "op": "is", "value": "y"}]},
                "sorts": [{"field": num, "field_id": num, "direction": "desc"}],
                "hidden_fields": [t.primary_field_id],
                "field_order": [tag, num],
            },
        )  # fmt: skip
        s.add(view)
        s.flush()
        view_id = view.id
    r = owner.call("records", "GET", url, query={"view": view_id, "page_size": 2})
    recs = r.json()["records"]
    assert [rec["fields"][num] for rec in recs] == [23, 21]
    assert list(recs[0]["fields"]) == [tag, num]
    r = owner.call(
        "records", "GET", url, query={"view": view_id, "filter": json.dumps({"field": num, "op": "<", "value": 5})}
    )
    assert [rec["fields"][num] for rec in r.json()["records"]] == [3, 1]
    assert owner.call("records", "GET", url, query={"view": "viwAAAAAAAAAAAAAA"}).status == 404


def test_roles(api: Api, world: World, table: dict[str, Any]) -> None:
    f = table["fields"]
    viewer = api.as_user(world.users["viewer"].token)
    assert viewer.call("records", "GET", _url(table)).status == 200
    r = viewer.call("records", "POST", _url(table), body={"fields": {f["qty"]: 1}})
    assert r.status == 403 and r.json()["error"]["code"] == "forbidden"
    assert (
        api.as_user(world.users["commenter"].token).call("records", "POST", _url(table), body={"fields": {}}).status
        == 403
    )
    assert api.as_user(world.outsider.token).call("records", "GET", _url(table)).status == 404
    assert api.call("records", "GET", _url(table)).status == 401


@pytest.mark.parametrize(
    ("method", "suffix", "kwargs", "status"),
    [
        ("POST", "", {"body": {"fields": {"nope": 1}}}, 422),
        ("POST", "", {"body": {"fields": {}, "records": []}}, 422),
        ("POST", "", {"body": {"records": "x"}}, 422),
        ("POST", "", {"raw_body": "{not json", "headers": {"content-type": "application/json"}}, 422),
        ("POST", "", {"body": {"records": [{"fields": {}}], "extra": 1}}, 422),
        ("GET", "", {"query": {"filter": "{bad"}}, 400),
        ("GET", "", {"query": {"filter": json.dumps({"field": "Qty", "op": "sounds like", "value": 1})}}, 422),
        ("GET", "", {"query": {"sort": "nope"}}, 422),
        ("GET", "", {"query": {"page_size": 1001}}, 422),
        ("GET", "", {"query": {"page_size": "many"}}, 422),
        ("GET", "", {"query": {"cursor": "garbage"}}, 400),
        ("GET", "/recAAAAAAAAAAAAAA", {}, 404),
        ("GET", "/not-a-record", {}, 404),
        ("PATCH", "/not-a-record", {"body": {"fields": {}}}, 422),
        ("PATCH", "", {"body": {"records": [{"fields": {}}]}}, 422),
        ("PATCH", "", {"body": {"records": [{"id": "recAAAAAAAAAAAAAA"}, {"id": "recAAAAAAAAAAAAAA"}]}}, 422),
        ("DELETE", "", {}, 422),
        ("PATCH", "/recAAAAAAAAAAAAAA", {"body": {"fields": {}}, "headers": {"If-Match": "junk"}}, 412),
        ("POST", "/upsert", {"body": {"records": [{"fields": {}}], "merge_on": []}}, 422),
    ],
)
def test_bad_input_gives_json_4xx(
    api: Api, world: World, table: dict[str, Any], method: str, suffix: str, kwargs: dict[str, Any], status: int
) -> None:
    r = api.as_user(world.users["editor"].token).call("records", method, _url(table, suffix), **kwargs)
    assert r.status == status, r.text
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_other_tables_records_are_invisible(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    other = make_table(world.base_id, by=world.owner)
    rec = ed.call("records", "POST", f"/tables/{other.id}/records", body={"fields": {}}).json()
    assert ed.call("records", "GET", _url(table, f"/{rec['id']}")).status == 404
    r = ed.call("records", "PATCH", _url(table), body={"records": [{"id": rec["id"], "fields": {}}]})
    assert r.status == 404


def test_typecast_adds_select_options_in_batches_and_upserts(api: Api, world: World) -> None:
    owner = api.as_user(world.owner.token)
    t = make_table(world.base_id, by=world.owner)
    tag = _field(api, world.owner.token, t.id, "Tag", "single_select", choices=["a"])
    url = f"/tables/{t.id}/records"
    r = owner.call(
        "records", "POST", url, body={"records": [{"fields": {tag: "b"}}, {"fields": {tag: "b"}}], "typecast": True}
    )
    assert r.status == 201, r.text
    body = {"merge_on": ["Name"], "typecast": True, "records": [{"fields": {"Name": "x", tag: "c"}}]}
    assert owner.call("records", "POST", f"{url}/upsert", body=body).status == 200
    choices = owner.call("tables", "GET", f"/fields/{tag}").json()["options"]["choices"]
    assert [c["name"] for c in choices] == ["a", "b", "c"]
    assert owner.call("records", "POST", url, body={"fields": {tag: "d"}}).status == 422
