"""CSV export of a table or a view: view filters, sorts, hidden fields and field order, displayed
values, permissions, and a round trip through import."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pybase.db import session_scope
from tests.conftest import Api
from tests.factories import World, make_base, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(roles=("owner", "viewer"))


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def parts(world: World) -> dict[str, Any]:
    from pybase.fields import service as fields
    from pybase.records import service as records
    from pybase.views import service as views

    table = make_table(make_base(world.workspace_id, by=world.owner), name="Parts", by=world.owner)
    owner = world.owner.principal
    with session_scope() as session:
        ids = {}
        for name, type_name, options in [
            ("Qty", "number", {}), ("Kind", "single_select", {"choices": ["Bolt", "Nut"]}),
            ("OK", "checkbox", {}), ("Due", "date", {}), ("Share", "percent", {}),
            ("Length", "dimension", {"unit": "mm"}), ("Secret", "single_line_text", {}),
        ]:  # fmt: skip
            ids[name] = fields.create_field(session, principal=owner, table_id=table.id, name=name, type=type_name,
                                            options=options)["id"]  # fmt: skip
        records.create_records(session, principal=owner, table_id=table.id, typecast=True, records=[
            {"fields": {"Name": "M4, long", "Qty": 10, "Kind": "Bolt", "OK": True, "Due": "2026-01-05",
                        "Share": 0.25, "Length": "10.5 ±0.1 mm", "Secret": "s1"}},
            {"fields": {"Name": 'Say "hi"', "Qty": 3, "Kind": "Nut", "Secret": "s2"}},
            {"fields": {"Name": "Big", "Qty": 100, "Kind": "Bolt", "Length": "20 mm"}},
        ])  # fmt: skip
        view = views.create_view(session, principal=owner, table_id=table.id, name="Bolts by qty", config={
            "filters": {"and": [{"field": ids["Kind"], "op": "is", "value": "Bolt"}]},
            "sorts": [{"field": ids["Qty"], "direction": "desc"}],
            "hidden_fields": [ids["Secret"]],
            "field_order": [ids["Qty"], table.primary_field_id],
        })  # fmt: skip
    return {"table": table, "view_id": view.id, "ids": ids}


def test_export_of_a_table_has_every_field_as_displayed(api: Api, world: World, parts: dict[str, Any]) -> None:
    table = parts["table"]
    r = api.as_user(world.owner.token).call("records", "GET", f"/tables/{table.id}/export.csv")
    assert r.status == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="Parts.csv"' in r.headers["content-disposition"]
    rows = rows_of(r.text)
    assert rows[0] == ["Name", "Qty", "Kind", "OK", "Due", "Share", "Length", "Secret"]
    assert rows[1] == ["M4, long", "10", "Bolt", "checked", "2026-01-05", "25%", "10.5 ±0.1 mm", "s1"]
    assert rows[2] == ['Say "hi"', "3", "Nut", "", "", "", "", "s2"]
    assert len(rows) == 4


def test_export_of_a_view_applies_filters_sorts_hidden_fields_and_order(
    api: Api, world: World, parts: dict[str, Any]
) -> None:
    table = parts["table"]
    for path, query in [(f"/views/{parts['view_id']}/export.csv", None),
                        (f"/tables/{table.id}/export.csv", {"view": parts["view_id"]})]:  # fmt: skip
        r = api.as_user(world.users["viewer"].token).call("records", "GET", path, query=query)
        assert r.status == 200, r.text
        rows = rows_of(r.text)
        assert rows[0][:2] == ["Qty", "Name"] and "Secret" not in rows[0]
        assert [row[:2] for row in rows[1:]] == [["100", "Big"], ["10", "M4, long"]]
        assert "Parts - Bolts by qty.csv" in r.headers["content-disposition"]


def test_export_permissions_and_unknown_ids(api: Api, world: World, parts: dict[str, Any]) -> None:
    table = parts["table"]
    assert api.as_user(world.outsider.token).call("records", "GET", f"/tables/{table.id}/export.csv").status == 404
    assert api.call("records", "GET", f"/tables/{table.id}/export.csv").status == 401
    assert api.as_user(world.owner.token).call("records", "GET", "/views/viwAAAAAAAAAAAAAA/export.csv").status == 404
    other = make_table(world.base_id, by=world.owner)
    r = api.as_user(world.owner.token).call(
        "records", "GET", f"/tables/{other.id}/export.csv", query={"view": parts["view_id"]}
    )
    assert r.status == 404


def test_export_then_import_round_trips(api: Api, world: World, parts: dict[str, Any]) -> None:
    table = parts["table"]
    exported = api.as_user(world.owner.token).call("records", "GET", f"/tables/{table.id}/export.csv").text
    base_id = make_base(world.workspace_id, by=world.owner)
    r = api.as_user(world.owner.token).call(
        "records", "POST", f"/bases/{base_id}/tables/import", raw_body=exported,
        headers={"content-type": "text/csv"}, query={"name": "Copy"},
    )  # fmt: skip
    assert r.status == 201, r.text
    report = r.json()
    assert report["imported_rows"] == 3 and report["failed_rows"] == 0
    types = {f["name"]: f["type"] for f in report["fields"]}
    assert types["Qty"] == "number" and types["OK"] == "checkbox" and types["Share"] == "percent"
    assert types["Length"] == "dimension" and types["Due"] == "date"
    again = api.as_user(world.owner.token).call("records", "GET", f"/tables/{report['table_id']}/export.csv").text
    assert rows_of(again) == rows_of(exported)
