"""Fields API: create, rename, options, type change with a conversion report, delete, roles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api
from tests.test_records_helpers import World, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _make(api: Api, token: str, table_id: str, name: str, type: str, **options: Any) -> dict[str, Any]:
    r = api.as_user(token).call(
        "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type, "options": options}
    )
    assert r.status == 201, r.text
    return r.json()


def _records(api: Api, token: str, table_id: str, **query: Any) -> list[dict[str, Any]]:
    r = api.as_user(token).call("records", "GET", f"/tables/{table_id}/records", query=query)
    assert r.status == 200, r.text
    return r.json()["records"]


def test_crud_and_roles(api: Api, world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    admin = world.users["admin"].token
    f = _make(api, admin, t.id, "Weight", "number", precision=1)
    assert f["options"] == {"precision": 1} and f["type"] == "number"
    for role in ("editor", "viewer"):
        r = api.as_user(world.users[role].token).call(
            "tables", "POST", f"/tables/{t.id}/fields", body={"name": "X", "type": "number"}
        )
        assert r.status == 403
    assert api.as_user(world.outsider.token).call("tables", "GET", f"/fields/{f['id']}").status == 404
    r = api.as_user(world.users["viewer"].token).call("tables", "GET", f"/tables/{t.id}/fields")
    assert [x["name"] for x in r.json()["fields"]] == ["Name", "Weight"]
    dup = api.as_user(admin).call("tables", "POST", f"/tables/{t.id}/fields", body={"name": "weight", "type": "number"})
    assert dup.status == 409
    bad_bodies = [
        {"name": "Y", "type": "teleport"},
        {"name": "", "type": "number"},
        {"name": "Z", "type": "number", "options": {"precision": 99}},
        {"name": "S", "type": "single_select", "options": {"choices": [{"name": "a", "color": "ultraviolet"}]}},
        {"name": "D", "type": "dimension", "options": {"unit": "furlong"}},
    ]
    for body in bad_bodies:
        r = api.as_user(admin).call("tables", "POST", f"/tables/{t.id}/fields", body=body)
        assert r.status == 422, (body, r.text)
        assert r.json()["error"]["code"] == "validation_failed"
    r = api.as_user(admin).call(
        "tables", "PATCH", f"/fields/{f['id']}", body={"name": "Mass", "options": {"precision": 3}}
    )
    assert r.status == 200 and r.json()["name"] == "Mass" and r.json()["options"]["precision"] == 3
    assert (
        api.as_user(world.users["editor"].token)
        .call("tables", "PATCH", f"/fields/{f['id']}", body={"name": "Q"})
        .status
        == 403
    )


def test_rename_keeps_values_and_delete_hides_them(api: Api, world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    owner = world.owner.token
    f = _make(api, owner, t.id, "Secret", "single_line_text")
    api.as_user(owner).call("records", "POST", f"/tables/{t.id}/records", body={"fields": {f["id"]: "hush"}})
    api.as_user(owner).call("tables", "PATCH", f"/fields/{f['id']}", body={"name": "Renamed"})
    assert _records(api, owner, t.id, field_key="name")[0]["fields"] == {"Renamed": "hush"}
    r = api.as_user(owner).call("tables", "DELETE", f"/fields/{f['id']}")
    assert r.status == 200
    assert _records(api, owner, t.id)[0]["fields"] == {}
    assert api.as_user(owner).call("tables", "GET", f"/fields/{f['id']}").status == 404
    for query in (
        {"filter": json.dumps({"field": f["id"], "op": "is", "value": "hush"})},
        {"sort": f["id"]},
        {"fields": f["id"]},
    ):
        r = api.as_user(owner).call("records", "GET", f"/tables/{t.id}/records", query=query)
        assert r.status == 422, query
    # writing to a deleted field is refused, and the deleted field's data is kept for a restore
    rec_id = _records(api, owner, t.id)[0]["id"]
    r = api.as_user(owner).call("records", "PATCH", f"/tables/{t.id}/records/{rec_id}", body={"fields": {f["id"]: "x"}})
    assert r.status == 422
    from sqlalchemy import text

    from pybase.db import session_scope

    with session_scope() as s:
        data = s.scalar(text("SELECT data FROM records WHERE id = :r"), {"r": rec_id})
    assert data == {f["id"]: "hush"}


def test_type_change_converts_and_reports(api: Api, world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    owner = world.owner.token
    f = _make(api, owner, t.id, "Value", "single_line_text")
    values = ["12.5", "abc", "7", None, "10.5 ±0.1 mm"]
    r = api.as_user(owner).call(
        "records", "POST", f"/tables/{t.id}/records", body={"records": [{"fields": {f["id"]: v}} for v in values]}
    )
    ids = [rec["id"] for rec in r.json()["records"]]
    r = api.as_user(owner).call(
        "tables", "PATCH", f"/fields/{f['id']}", body={"type": "number", "options": {"precision": 1}}
    )
    assert r.status == 200, r.text
    report = r.json()["conversion"]
    assert report["converted"] == 2 and report["failed_count"] == 2 and report["records"] == 4
    assert {x["record_id"] for x in report["failed"]} == {ids[1], ids[4]}
    assert {x["value"] for x in report["failed"]} == {"abc", "10.5 ±0.1 mm"}
    got = {rec["id"]: rec["fields"].get(f["id"]) for rec in _records(api, owner, t.id)}
    assert got == {ids[0]: 12.5, ids[1]: None, ids[2]: 7, ids[3]: None, ids[4]: None}
    # and the field now filters as a number
    r = api.as_user(owner).call(
        "records", "POST", f"/tables/{t.id}/records/query", body={"filter": {"field": f["id"], "op": ">", "value": 8}}
    )
    assert [rec["id"] for rec in r.json()["records"]] == [ids[0]]
    # number -> single select creates options from the distinct values
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{f['id']}", body={"type": "single_select"})
    assert r.status == 200 and r.json()["conversion"]["failed_count"] == 0
    assert sorted(c["name"] for c in r.json()["options"]["choices"]) == ["12.5", "7"]
    # text -> dimension, and back to text
    g = _make(api, owner, t.id, "Size", "single_line_text")
    api.as_user(owner).call(
        "records", "PATCH", f"/tables/{t.id}/records", body={"records": [{"id": ids[0], "fields": {g["id"]: "1 in"}}]}
    )
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{g['id']}", body={"type": "dimension"})
    assert r.json()["conversion"]["converted"] == 1
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{g['id']}", body={"type": "long_text"})
    got = api.as_user(owner).call("records", "GET", f"/tables/{t.id}/records/{ids[0]}").json()
    assert got["fields"][g["id"]] == "1 in"
    # a computed type drops stored values; autonumber to number materializes the numbers
    auto = _make(api, owner, t.id, "No", "autonumber")
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{auto['id']}", body={"type": "number"})
    assert r.status == 200 and r.json()["conversion"]["converted"] == 5
    got = api.as_user(owner).call("records", "GET", f"/tables/{t.id}/records/{ids[2]}").json()
    assert got["fields"][auto["id"]] == 3


def test_indexed_option_builds_expression_indexes(api: Api, world: World) -> None:
    from sqlalchemy import text

    from pybase.db import session_scope

    t = make_table(world.base_id, by=world.owner)
    f = _make(api, world.owner.token, t.id, "Part", "single_line_text", indexed=True)
    # The request only asks for them; the indexbuild function builds them outside it.
    from pybase.records.indexes import build_pending

    build_pending(t.id)
    with session_scope() as s:
        kinds = sorted(s.scalars(text("SELECT kind FROM record_indexes WHERE field_id = :f"), {"f": f["id"]}))
        names = list(s.scalars(text("SELECT name FROM record_indexes WHERE field_id = :f"), {"f": f["id"]}))
        found = s.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = ANY(:n)"), {"n": names})
    assert kinds == ["btree", "sort", "trigram"] and found == 3
    api.as_user(world.owner.token).call("tables", "DELETE", f"/fields/{f['id']}")
    with session_scope() as s:
        found = s.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = ANY(:n)"), {"n": names})
    assert found == 0
