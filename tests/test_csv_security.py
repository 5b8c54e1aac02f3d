"""CSV export guards against formula injection (OWASP: a quote before =, +, -, @, tab, CR) unless
?raw=true; plain numbers are data and stay as they are. Import progress answers only under its own
table or base."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pybase.db import session_scope
from tests.conftest import Api
from tests.factories import World, make_base, make_table, make_world
from tests.lambda_events import load_function

NASTY = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
         "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "a=b", "plain", "'quoted"]  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(roles=("owner", "viewer"))


@pytest.fixture(scope="module")
def sheet(world: World) -> dict[str, Any]:
    from pybase.fields import service as fields
    from pybase.records import service as records

    table = make_table(make_base(world.workspace_id, by=world.owner), name="Sheet", by=world.owner)
    owner = world.owner.principal
    with session_scope() as session:
        for name, type_name, options in [("Qty", "number", {"precision": 1}), ("Price", "currency", {}),
                                         ("=Note", "single_line_text", {}),
                                         ("Text", "long_text", {})]:  # fmt: skip
            fields.create_field(session, principal=owner, table_id=table.id, name=name, type=type_name,
                                options=options)  # fmt: skip
        records.create_records(session, principal=owner, table_id=table.id, records=[
            {"fields": {"Name": f"r{i}", "Qty": -5 - i, "Price": -1.5, "=Note": "-" + str(i), "Text": text}}
            for i, text in enumerate(NASTY)
        ])  # fmt: skip
    return {"table": table, "view_id": table.view_id}


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def export(api: Api, world: World, path: str, **query: Any) -> Any:
    return api.as_user(world.users["viewer"].token).call("records", "GET", path, query=query or None)


def test_formula_cells_are_quoted_by_default(api: Api, world: World, sheet: dict[str, Any]) -> None:
    for path in (f"/tables/{sheet['table'].id}/export.csv", f"/views/{sheet['view_id']}/export.csv"):
        r = export(api, world, path)
        assert r.status == 200, r.text
        rows = rows_of(r.text)
        assert rows[0] == ["Name", "Qty", "Price", "'=Note", "Text"]
        names = [row[4] for row in rows[1:]]
        assert names == ["'" + t if t[0] in "=+-@\t\r" else t for t in NASTY]
        assert names[:6] == ["'" + t for t in NASTY[:6]] and names[6:] == ["a=b", "plain", "'quoted"]
        # Negative numbers are numbers, not formulas; text that merely looks like one is quoted.
        assert [row[1] for row in rows[1:]] == [str(-5 - i) for i in range(len(NASTY))]
        assert all(not row[2].startswith("'") and row[2].startswith("-") for row in rows[1:])
        assert [row[3] for row in rows[1:]] == [f"'-{i}" for i in range(len(NASTY))]


def test_raw_export_writes_values_as_stored(api: Api, world: World, sheet: dict[str, Any]) -> None:
    r = export(api, world, f"/tables/{sheet['table'].id}/export.csv", raw="true")
    assert r.status == 200, r.text
    rows = rows_of(r.text)
    assert rows[0][3] == "=Note"
    assert [row[4] for row in rows[1:]] == NASTY
    bad = export(api, world, f"/tables/{sheet['table'].id}/export.csv", raw="maybe")
    assert bad.status == 422 and set(bad.json()["error"]) == {"code", "message", "details"}


def test_negative_numbers_round_trip_through_import(api: Api, world: World, sheet: dict[str, Any]) -> None:
    exported = export(api, world, f"/tables/{sheet['table'].id}/export.csv").text
    base_id = make_base(world.workspace_id, by=world.owner)
    r = api.as_user(world.owner.token).call(
        "records", "POST", f"/bases/{base_id}/tables/import", raw_body=exported,
        headers={"content-type": "text/csv"}, query={"name": "Copy"},
    )  # fmt: skip
    assert r.status == 201, r.text
    types = {f["name"]: f["type"] for f in r.json()["fields"]}
    assert types["Qty"] == "number"


def test_raw_is_documented_in_openapi() -> None:
    paths = load_function("records").app.openapi()["paths"]
    for path in ("/tables/{table_id}/export.csv", "/views/{view_id}/export.csv"):
        params = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert "raw" in params and params["raw"]["in"] == "query"
        assert "formula" in params["raw"]["description"]


def test_import_progress_only_under_its_own_table_or_base(api: Api, world: World) -> None:
    base_id = make_base(world.workspace_id, by=world.owner)
    other_base = make_base(world.workspace_id, by=world.owner)
    owner = api.as_user(world.owner.token)
    r = owner.call(
        "records", "POST", f"/bases/{base_id}/tables/import", raw_body="Name\nA\n",
        headers={"content-type": "text/csv"}, query={"name": "Imported"},
    )  # fmt: skip
    assert r.status == 201, r.text
    import_id, table_id = r.json()["import_id"], r.json()["table_id"]
    other_table = make_table(base_id, by=world.owner).id
    assert owner.call("records", "GET", f"/bases/{base_id}/imports/{import_id}").status == 200
    assert owner.call("records", "GET", f"/tables/{table_id}/imports/{import_id}").status == 200
    assert owner.call("records", "GET", f"/bases/{other_base}/imports/{import_id}").status == 404
    assert owner.call("records", "GET", f"/tables/{other_table}/imports/{import_id}").status == 404
