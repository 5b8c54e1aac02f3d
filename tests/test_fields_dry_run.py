"""Dry runs of field writes (the web app previews a type change's conversion report and checks a
formula as it is typed) and the field-type catalogue the web app builds its forms and filters from."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from tests.conftest import Api
from tests.test_records_helpers import World, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _events(table_id: str) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(ChangeEvent).where(ChangeEvent.table_id == table_id)) or 0


def _fields(api: Api, token: str, table_id: str) -> list[dict[str, Any]]:
    return api.as_user(token).call("tables", "GET", f"/tables/{table_id}/fields").json()["fields"]


def test_type_change_dry_run_reports_and_changes_nothing(api: Api, world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    owner = world.owner.token
    r = api.as_user(owner).call(
        "tables", "POST", f"/tables/{t.id}/fields", body={"name": "Value", "type": "single_line_text"}
    )
    field = r.json()
    r = api.as_user(owner).call(
        "records", "POST", f"/tables/{t.id}/records",
        body={"records": [{"fields": {field["id"]: v}} for v in ("12.5", "abc", "7")]},
    )  # fmt: skip
    ids = [rec["id"] for rec in r.json()["records"]]
    before_fields, before_events = _fields(api, owner, t.id), _events(t.id)
    r = api.as_user(owner).call(
        "tables", "PATCH", f"/fields/{field['id']}", query={"dry_run": "true"},
        body={"type": "number", "options": {"precision": 1}},
    )  # fmt: skip
    assert r.status == 200, r.text
    body = r.json()
    assert body["dry_run"] is True and body["type"] == "number"
    report = body["conversion"]
    assert report["converted"] == 2 and report["failed_count"] == 1
    assert [x["record_id"] for x in report["failed"]] == [ids[1]]
    # nothing changed: the field, its values, their versions, and no event went out
    assert _fields(api, owner, t.id) == before_fields
    assert _events(t.id) == before_events
    for rid, value in zip(ids, ("12.5", "abc", "7"), strict=True):
        rec = api.as_user(owner).call("records", "GET", f"/tables/{t.id}/records/{rid}").json()
        assert rec["fields"][field["id"]] == value and rec["version"] == 1
    # the real change gives the same report
    r = api.as_user(owner).call(
        "tables", "PATCH", f"/fields/{field['id']}", body={"type": "number", "options": {"precision": 1}}
    )
    assert r.json()["conversion"] == report and "dry_run" not in r.json()


def test_formula_dry_run_validates_without_creating(api: Api, world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    owner = world.owner.token
    api.as_user(owner).call("tables", "POST", f"/tables/{t.id}/fields", body={"name": "Qty", "type": "number"})
    before = _fields(api, owner, t.id)
    ok = api.as_user(owner).call(
        "tables", "POST", f"/tables/{t.id}/fields", query={"dry_run": "1"},
        body={"name": "Double", "type": "formula", "options": {"formula": "{Qty} * 2"}},
    )  # fmt: skip
    assert ok.status == 201, ok.text
    assert ok.json()["dry_run"] is True and ok.json()["options"]["result_type"] == "number"
    bad = api.as_user(owner).call(
        "tables", "POST", f"/tables/{t.id}/fields", query={"dry_run": "1"},
        body={"name": "Broken", "type": "formula", "options": {"formula": "{Nope} + 1"}},
    )  # fmt: skip
    assert bad.status == 422 and bad.json()["error"]["message"]
    assert _fields(api, owner, t.id) == before
    # a dry run needs the same role as the write
    r = api.as_user(world.users["editor"].token).call(
        "tables", "POST", f"/tables/{t.id}/fields", query={"dry_run": "1"},
        body={"name": "X", "type": "formula", "options": {"formula": "1"}},
    )  # fmt: skip
    assert r.status == 403


def test_field_types_describe_operators_and_formula_functions(api: Api) -> None:
    body = api.call("tables", "GET", "/field-types").json()
    details = {d["name"]: d for d in body["details"]}
    assert set(details) == set(body["types"])
    assert {"contains", "is_empty"} <= set(details["single_line_text"]["operators"])
    assert {"<", ">=", "is_empty"} <= set(details["number"]["operators"])
    assert details["autonumber"]["read_only"] is True and details["number"]["read_only"] is False
    assert details["link"]["convertible"] is False
    assert "contains" in body["formula_operators"]["text"]
    names = {f["name"] for f in body["formula_functions"]}
    assert {"IF", "SUM", "CONCATENATE"} <= names


def test_fields_list_their_filter_operators(api: Api, world: World) -> None:
    """GET /tables/{id}/fields says which operators filter each field (formulas: by result type)."""
    t = make_table(world.base_id, by=world.owner)
    owner = world.owner.token
    for body in (
        {"name": "Qty", "type": "number"},
        {"name": "Label", "type": "formula", "options": {"formula": "UPPER({Name})"}},
        {"name": "Twice", "type": "formula", "options": {"formula": "{Qty} * 2"}},
    ):
        assert api.as_user(owner).call("tables", "POST", f"/tables/{t.id}/fields", body=body).status == 201
    by_name = {f["name"]: f for f in _fields(api, owner, t.id)}
    assert {"contains", "starts_with", "is_empty"} <= set(by_name["Name"]["operators"])
    assert {"<", ">=", "is_any_of"} <= set(by_name["Qty"]["operators"])
    assert "contains" not in by_name["Qty"]["operators"]
    assert "contains" in by_name["Label"]["operators"] and ">" not in by_name["Label"]["operators"]
    assert ">" in by_name["Twice"]["operators"] and "contains" not in by_name["Twice"]["operators"]
    # every listed operator is accepted by the records filter
    for name, op, value in (("Label", "contains", "A"), ("Twice", ">", 1), ("Qty", "is_any_of", [1, 2])):
        r = api.as_user(owner).call(
            "records", "POST", f"/tables/{t.id}/records/query",
            body={"filter": {"field": by_name[name]["id"], "op": op, "value": value}},
        )  # fmt: skip
        assert r.status == 200, r.text
