"""CSV import through the records function: type inference, typecast, per-row errors without partial
loss, all-or-nothing mode, existing tables, progress rows."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from pybase.csvio.infer import infer_type
from pybase.csvio.service import parse_csv
from tests.conftest import Api
from tests.factories import World, make_base, make_table, make_world

PARTS = """Part,Qty,Price,In stock,Due,Updated,Contact,Link,Length,Finish,Notes,Ratio
Bolt M4,10,$1.20,yes,2026-01-05,2026-01-05T10:00:00Z,a@example.com,https://example.com/a,10.5 ±0.1 mm,Zinc,"first
line",50%
Nut M4,250,$0.10,no,2026-01-06,2026-01-06T11:30:00Z,b@example.com,https://example.com/b,12 +0.2/-0.1 mm,Zinc,plain,25%
Washer,1000,$0.05,yes,2026-02-01,2026-02-01T00:00:00Z,c@example.com,https://example.com/c,3.2 mm,Black oxide,,5%
Spring,7,$2.00,no,2026-03-15,2026-03-15T08:15:00Z,d@example.com,https://example.com/d,20 ±0.5 mm,Zinc,x,12.5%
"""


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(roles=("owner", "editor", "viewer"))


def call(api: Api, world: World, method: str, path: str, *, role: str = "owner", **kwargs: Any) -> Any:
    return api.as_user(world.users[role].token).call("records", method, path, **kwargs)


def post_csv(api: Api, world: World, path: str, text: str, *, role: str = "owner", **query: Any) -> Any:
    return call(api, world, "POST", path, role=role, raw_body=text, headers={"content-type": "text/csv"}, query=query)


def list_names(api: Api, world: World, table_id: str) -> list[dict[str, Any]]:
    r = call(api, world, "GET", f"/tables/{table_id}/records", query={"field_key": "name", "page_size": 1000})
    assert r.status == 200, r.text
    return [rec["fields"] for rec in r.json()["records"]]


def test_inference_rules() -> None:
    assert infer_type(["1", "2", "3.25", ""]) == ("number", {"precision": 2})
    assert infer_type(["1,234", "5"]) == ("number", {"precision": 0})
    assert infer_type(["$1.20", "$3"]) == ("currency", {"precision": 2, "symbol": "$"})
    assert infer_type(["50%", "12.5%"]) == ("percent", {"precision": 3})
    assert infer_type(["yes", "no", "Yes"]) == ("checkbox", {})
    assert infer_type(["2026-01-05", "2026-12-31"]) == ("date", {"format": "iso"})
    assert infer_type(["31/01/2026", "1/2/2026"]) == ("date", {"format": "european"})
    assert infer_type(["1/31/2026", "2/1/2026"]) == ("date", {"format": "us"})
    assert infer_type(["2026-01-05T10:00:00Z", "2026-01-05 11:00"])[0] == "datetime"
    assert infer_type(["a@x.io", "b@y.org"]) == ("email", {})
    assert infer_type(["https://a.io", "http://b.io/x"]) == ("url", {})
    assert infer_type(["10.5 ±0.1 mm", "12 mm"]) == ("dimension", {"unit": "mm"})
    assert infer_type(["1 ±0.01 in", "2 in"]) == ("dimension", {"unit": "in"})
    assert infer_type(["Zinc", "Zinc", "Black", "Zinc"])[0] == "single_select"
    assert infer_type(["a", "b", "c", "d"]) == ("single_line_text", {})
    assert infer_type(["x" * 300]) == ("long_text", {})
    assert infer_type(["", " "]) == ("single_line_text", {})
    assert infer_type(["10", "ten"]) == ("single_line_text", {})


def test_parse_handles_delimiters_bom_and_ragged_rows() -> None:
    parsed = parse_csv("\ufeffa;b;b\n1;2;3\n\n4\n5;6;7;8\n".encode())
    assert parsed.headers == ["a", "b", "b (2)"]
    assert parsed.rows[:2] == [["1", "2", "3"], ["4", "", ""]]
    assert parsed.lines == [2, 4, 5]
    assert parsed.shape_errors[0]["row"] == 5


def test_import_into_a_new_table_infers_types(api: Api, world: World) -> None:
    r = post_csv(api, world, f"/bases/{world.base_id}/tables/import", PARTS, name="Parts")
    assert r.status == 201, r.text
    report = r.json()
    assert report["created_table"] and report["imported_rows"] == 4 and report["failed_rows"] == 0
    types = {f["name"]: f["type"] for f in report["fields"]}
    assert types == {
        "Part": "single_line_text", "Qty": "number", "Price": "currency", "In stock": "checkbox", "Due": "date",
        "Updated": "datetime", "Contact": "email", "Link": "url", "Length": "dimension", "Finish": "single_select",
        "Notes": "long_text", "Ratio": "percent",
    }  # fmt: skip
    table_id = report["table_id"]
    r = api.as_user(world.owner.token).call("tables", "GET", f"/tables/{table_id}")
    assert r.status == 200 and r.json()["fields"][0]["name"] == "Part"
    rows = list_names(api, world, table_id)
    bolt = rows[0]
    assert bolt["Part"] == "Bolt M4" and bolt["Qty"] == 10 and bolt["Price"] == 1.2 and bolt["In stock"] is True
    assert bolt["Due"] == "2026-01-05" and bolt["Length"]["display"] == "10.5 ±0.1 mm" and bolt["Ratio"] == 0.5
    assert bolt["Notes"] == "first\nline" and bolt["Finish"] == "Zinc"
    assert rows[1]["In stock"] is False and rows[2].get("Notes") is None
    job = call(api, world, "GET", f"/bases/{world.base_id}/imports/{report['import_id']}")
    assert job.status == 200, job.text
    assert job.json()["status"] == "done" and job.json()["imported_rows"] == 4 and job.json()["table_id"] == table_id


def test_bad_rows_are_reported_and_the_others_imported_whole(api: Api, world: World) -> None:
    table = make_table(make_base(world.workspace_id, by=world.owner), name="Stock", by=world.owner)
    from pybase.db import session_scope
    from pybase.fields import service as fields

    with session_scope() as session:
        for name, type_name, options in [("Qty", "number", {}), ("Kind", "single_select", {"choices": ["A", "B"]}),
                                         ("Mail", "email", {})]:  # fmt: skip
            fields.create_field(session, principal=world.owner.principal, table_id=table.id, name=name,
                                type=type_name, options=options)  # fmt: skip
    text = "Name,Qty,Kind,Mail,Extra\nok1,1,A,a@x.io,zz\nbad qty,lots,A,,\nok2,2,C,,\nbad mail,3,B,nope,\n"
    r = post_csv(api, world, f"/tables/{table.id}/import", text)
    assert r.status == 200, r.text
    report = r.json()
    assert (report["imported_rows"], report["failed_rows"], report["total_rows"]) == (2, 2, 4)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "Qty"), (5, "Mail")]
    assert report["skipped_columns"] == [{"column": "Extra", "reason": "no field with this name"}]
    rows = list_names(api, world, table.id)
    assert rows == [{"Name": "ok1", "Qty": 1, "Kind": "A", "Mail": "a@x.io"}, {"Name": "ok2", "Qty": 2, "Kind": "C"}]

    # Strict: unknown options are errors, and abort writes nothing at all.
    r = post_csv(api, world, f"/tables/{table.id}/import", "Name,Kind\nx,D\ny,A\n", typecast="false",
                 on_error="abort")  # fmt: skip
    assert r.status == 422, r.text
    assert r.json()["error"]["details"]["errors"][0]["row"] == 2
    assert len(list_names(api, world, table.id)) == 2

    # New columns become fields when asked; columns can be mapped explicitly.
    r = call(api, world, "POST", f"/tables/{table.id}/import", body={
        "csv": "Title,Weight\nw1,1.5\n", "create_missing_fields": True, "columns": {"Title": "Name"}})  # fmt: skip
    assert r.status == 200, r.text
    assert [f["type"] for f in r.json()["fields"]] == ["single_line_text", "number"]
    assert list_names(api, world, table.id)[-1] == {"Name": "w1", "Weight": 1.5}


def test_abort_on_a_new_table_leaves_no_table(api: Api, world: World) -> None:
    base_id = make_base(world.workspace_id, by=world.owner)
    bad = "Name,Qty\na,1\nb,2\nc,3\nd,4\ne,5\n"
    r = post_csv(api, world, f"/bases/{base_id}/tables/import", bad + "f,1,extra\n", name="Nope", on_error="abort")
    assert r.status == 422
    r = api.as_user(world.owner.token).call("tables", "GET", f"/bases/{base_id}/tables")
    assert r.json() == [] or r.json().get("tables", r.json()) == []


def test_import_permissions_and_bad_input(api: Api, world: World) -> None:
    table = make_table(make_base(world.workspace_id, by=world.owner), by=world.owner)
    assert post_csv(api, world, f"/tables/{table.id}/import", "Name\nx\n", role="viewer").status == 403
    assert post_csv(api, world, f"/bases/{table.base_id}/tables/import", "Name\nx\n", role="editor",
                    name="T").status == 403  # fmt: skip
    assert post_csv(api, world, f"/tables/{table.id}/import", "").status == 422
    assert post_csv(api, world, f"/tables/{table.id}/import", "Name\nx\n", on_error="maybe").status == 422
    assert post_csv(api, world, f"/bases/{table.base_id}/tables/import", "Name\nx\n").status == 422  # no name
    assert post_csv(api, world, "/tables/tblAAAAAAAAAAAAAA/import", "Name\nx\n").status == 404
    assert call(api, world, "GET", f"/tables/{table.id}/imports/impAAAAAAAAAAAAAA").status == 404
    r = call(api, world, "POST", f"/tables/{table.id}/import", raw_body="Name\nCafé\n".encode("cp1252"),
             headers={"content-type": "text/csv"})  # fmt: skip
    assert r.status == 200 and r.json()["imported_rows"] == 1
    assert list_names(api, world, table.id) == [{"Name": "Café"}]


def test_progress_is_readable_while_a_large_import_runs(api: Api, world: World) -> None:
    base_id = make_base(world.workspace_id, by=world.owner)
    lines = ["Name,Qty,Kind"] + [f"Item {i},{i},{'AB'[i % 2]}" for i in range(6000)]
    import_id = "impPROGRESS00000001"[:17]
    seen: list[dict[str, Any]] = []
    done = threading.Event()

    def poll() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum runs each call on the thread's loop
        while not done.is_set():
            r = call(api, world, "GET", f"/bases/{base_id}/imports/{import_id}")
            if r.status == 200:
                seen.append(r.json())
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        r = post_csv(api, world, f"/bases/{base_id}/tables/import", "\n".join(lines), name="Big",
                     import_id=import_id)  # fmt: skip
    finally:
        done.set()
        poller.join()
    assert r.status == 201, r.text
    assert r.json()["imported_rows"] == 6000
    running = [s for s in seen if s["status"] == "running"]
    assert running, "no progress seen while the import ran"
    assert running[0]["total_rows"] == 6000
    assert any(0 < s["imported_rows"] < 6000 for s in running) or any(s["phase"] == "writing" for s in running)
    final = call(api, world, "GET", f"/bases/{base_id}/imports/{import_id}").json()
    assert final["status"] == "done" and final["processed_rows"] == 6000


def test_junk_imports_are_never_a_500(api: Api, world: World) -> None:
    table = make_table(make_base(world.workspace_id, by=world.owner), by=world.owner)
    path = f"/tables/{table.id}/import"
    cases = [
        ("Name\nab\x00c\n", {}),
        ("Name\nx\n", {"delimiter": "ab"}),
        ("Name\nx\n", {"import_id": "nope"}),
        ("Name\nx\n", {"columns": "{not json"}),
        ("Name\nx\n", {"columns": '{"Name": 5}'}),
        ("Name\nx\n", {"typecast": "maybe"}),
        ('Name\n"unterminated\n', {}),
        ("\n\n\n", {}),
    ]
    for text, query in cases:
        r = post_csv(api, world, path, text, **query)
        assert r.status < 500, (text, query, r.status, r.text)
    r = post_csv(api, world, f"/bases/{table.base_id}/tables/import", "Name\nx\n", name="Bad\x00name")
    assert 400 <= r.status < 500, r.text
    r = call(api, world, "POST", path, body={"csv": 5})
    assert r.status == 422
    r = call(api, world, "POST", path, raw_body="{nope", headers={"content-type": "application/json"})
    assert r.status == 400
