"""View filters and the native `filter` on formulas, lookups and rollups that have no SQL form.

The conditions that compile run in PostgreSQL; the others are checked on values computed in Python
for keyset batches of the rows the SQL part selects (the scan filterByFormula uses), so pages,
cursors, offsets and counts agree with the filter, and only a scan that runs out of time is a 422.
The table has more rows than one scan batch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from pybase.formulas.registry import get_function
from pybase.records import store
from tests.airtable_transport import pyairtable_api
from tests.conftest import Api
from tests.factories import make_api_token
from tests.test_links_api import create, field
from tests.test_records_helpers import RecordsWorld, make_table, make_world

pytestmark = pytest.mark.usefixtures("no_airtable_rate_limit")

ROWS = 1_100
GEARS = [i for i in range(ROWS) if i % 3 == 0]  # named "Gear 0003": a space, "%20" once encoded
ACME = [i for i in range(ROWS) if i % 5 == 0]
BOLT = [i for i in range(ROWS) if i % 5 == 1]


def name(i: int) -> str:
    return f"Gear {i:04d}" if i % 3 == 0 else f"Nut-{i:04d}"


@pytest.fixture(scope="module")
def world() -> RecordsWorld:
    return make_world(roles=("owner",))


@pytest.fixture(scope="module")
def setup(world: RecordsWorld) -> dict[str, Any]:
    api, owner = Api(), world.users["owner"].token
    suppliers, parts = make_table(world.base_id, name="Suppliers"), make_table(world.base_id, name="Parts")
    f: dict[str, str] = {}
    # ENCODE_URL_COMPONENT and WORKDAY_DIFF are among the functions with no SQL translation.
    assert get_function("ENCODE_URL_COMPONENT").sql is None and get_function("WORKDAY_DIFF").sql is None
    f["Code"] = field(api, owner, suppliers.id, "Code", "formula", formula="ENCODE_URL_COMPONENT({Name})")["id"]
    f["Qty"] = field(api, owner, parts.id, "Qty", "number")["id"]
    f["Enc"] = field(api, owner, parts.id, "Enc", "formula", formula="ENCODE_URL_COMPONENT({Name})")["id"]
    f["EncLen"] = field(api, owner, parts.id, "EncLen", "formula", formula="LEN(ENCODE_URL_COMPONENT({Name}))")["id"]
    link = field(api, owner, parts.id, "Supplier", "link", linked_table_id=suppliers.id)["id"]
    f["Supplier"] = link
    f["Names"] = field(api, owner, parts.id, "Supplier names", "lookup", link_field_id=link,
                       field_id=suppliers.primary_field_id)["id"]  # fmt: skip
    # A lookup used as text: FIND over the lookup's values joined.
    f["IsAcme"] = field(api, owner, parts.id, "Is Acme", "formula", formula="FIND('Acme', {Supplier names})")["id"]
    # A lookup of a formula that has no SQL form.
    f["Codes"] = field(api, owner, parts.id, "Codes", "lookup", link_field_id=link, field_id=f["Code"])["id"]
    f["Joined"] = field(api, owner, parts.id, "Joined", "rollup", link_field_id=link, field_id=f["Code"],
                        function="ARRAYJOIN")["id"]  # fmt: skip
    acme, bolt = create(api, owner, suppliers.id, {"Name": "Acme"}, {"Name": "Bolt Co"})
    supplier = {0: [acme["id"]], 1: [bolt["id"]]}
    rows = [{"Name": name(i), "Qty": i, "Supplier": supplier.get(i % 5, [])} for i in range(ROWS)]
    ids = [r["id"] for start in range(0, ROWS, 1000) for r in create(api, owner, parts.id, *rows[start : start + 1000])]
    view = api.as_user(owner).call(
        "tables", "POST", f"/tables/{parts.id}/views",
        body={"name": "Gears", "type": "grid", "config": {"filters": {"field": f["Enc"], "op": "contains",
                                                                      "value": "%20"}}},
    )  # fmt: skip
    assert view.status == 201, view.text
    return {"api": api, "token": owner, "parts": parts.id, "f": f, "ids": ids, "view": view.json()["id"]}


def call(setup: dict[str, Any], method: str, path: str, **kwargs: Any) -> Any:
    return setup["api"].as_user(setup["token"]).call("records", method, f"/tables/{setup['parts']}{path}", **kwargs)


def every_page(setup: dict[str, Any], body: dict[str, Any]) -> tuple[list[str], int]:
    """The record IDs of every page (followed by cursor) and how many pages there were."""
    out: list[str] = []
    pages = 0
    cursor = None
    while True:
        r = call(setup, "POST", "/records/query", body={**body, "cursor": cursor})
        assert r.status == 200, r.text
        page = r.json()
        out += [rec["id"] for rec in page["records"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return out, pages


def expected(setup: dict[str, Any], rows: list[int]) -> list[str]:
    return [setup["ids"][i] for i in rows]


def count(setup: dict[str, Any], **query: str) -> int:
    r = call(setup, "GET", "/records/count", query=query)
    assert r.status == 200, r.text
    return r.json()["count"]


def test_view_filter_on_a_formula_without_sql_pages_and_counts(setup: dict[str, Any]) -> None:
    ids, pages = every_page(setup, {"view": setup["view"], "page_size": 100})
    assert ids == expected(setup, GEARS) and pages == 4  # 367 rows across two scan batches
    assert count(setup, view=setup["view"]) == len(GEARS)
    assert count(setup, view="Gears") == len(GEARS)  # the view by name
    r = call(setup, "GET", "/records", query={"view": "Gears", "count": "true", "page_size": "5"})
    assert r.status == 200 and r.json()["total"] == len(GEARS)
    assert [rec["id"] for rec in r.json()["records"]] == expected(setup, GEARS[:5])
    # An offset counts matching rows, not scanned ones.
    r = call(setup, "POST", "/records/query", body={"view": setup["view"], "offset": 300, "page_size": 100})
    assert [rec["id"] for rec in r.json()["records"]] == expected(setup, GEARS[300:])
    # A sort that runs in the database keeps its order with the scanned filter.
    r = call(setup, "POST", "/records/query",
             body={"view": setup["view"], "sort": [{"field": setup["f"]["Qty"], "direction": "desc"}],
                   "page_size": 3})  # fmt: skip
    assert [rec["id"] for rec in r.json()["records"]] == expected(setup, GEARS[::-1][:3])
    ids, _ = every_page(setup, {"view": setup["view"], "page_size": 250,
                                "sort": [{"field": setup["f"]["Qty"], "direction": "desc"}]})  # fmt: skip
    assert ids == expected(setup, GEARS[::-1])


def test_native_filter_mixes_sql_and_python_conditions(setup: dict[str, Any]) -> None:
    f = setup["f"]
    gear = {"field": f["Enc"], "op": "contains", "value": "%20"}
    both = {"and": [gear, {"field": f["Qty"], "op": "<", "value": 500}]}
    ids, _ = every_page(setup, {"filter": both, "page_size": 40})
    assert ids == expected(setup, [i for i in GEARS if i < 500])
    assert count(setup, filter=json.dumps(both)) == len([i for i in GEARS if i < 500])
    either = {"or": [gear, {"field": f["Qty"], "op": "=", "value": 1}]}
    ids, _ = every_page(setup, {"filter": either, "page_size": 1000})
    assert ids == expected(setup, sorted([*GEARS, 1]))
    negated = {"not": {"field": f["EncLen"], "op": ">", "value": 8}}  # "Nut-0001" encodes to 8 characters
    ids, _ = every_page(setup, {"filter": negated, "page_size": 1000})
    assert ids == expected(setup, [i for i in range(ROWS) if i % 3])
    # A formula node in the filter tree, the view's filter added to it.
    ids, _ = every_page(setup, {"view": "Gears", "filter": {"formula": "WORKDAY_DIFF('2024-01-01', '2024-01-05') = "
                                                                        "{Qty}"}})  # fmt: skip
    assert ids == []  # 5 working days: row 5 is a nut, so the view's filter leaves nothing
    ids, _ = every_page(setup, {"filter": {"formula": "WORKDAY_DIFF('2024-01-01', '2024-01-05') = {Qty}"}})
    assert ids == expected(setup, [5])


def test_lookups_and_rollups_used_as_text(setup: dict[str, Any]) -> None:
    f = setup["f"]
    ids, _ = every_page(setup, {"filter": {"field": f["IsAcme"], "op": ">", "value": 0}, "page_size": 1000})
    assert ids == expected(setup, ACME)
    ids, _ = every_page(setup, {"filter": {"formula": "FIND('Bolt', {Supplier} & '')"}, "page_size": 1000})
    assert ids == expected(setup, BOLT)
    ids, _ = every_page(setup, {"filter": {"field": f["Codes"], "op": "contains", "value": "bolt%20"}})
    assert ids == expected(setup, BOLT)
    empty = {"field": f["Codes"], "op": "is_empty"}
    assert count(setup, filter=json.dumps(empty)) == ROWS - len(ACME) - len(BOLT)
    ids, _ = every_page(setup, {"filter": {"field": f["Joined"], "op": "is", "value": "Acme"}, "page_size": 1000})
    assert ids == expected(setup, ACME)
    # Fields list the operators their filters take: a text rollup's are text ones.
    r = setup["api"].as_user(setup["token"]).call("tables", "GET", f"/tables/{setup['parts']}/fields")
    operators = {item["id"]: item["operators"] for item in r.json()["fields"]}
    assert "contains" in operators[f["Joined"]] and ">" not in operators[f["Joined"]]
    assert "contains" in operators[f["Enc"]] and ">" in operators[f["EncLen"]]


def test_sorting_by_a_formula_without_sql_is_a_clear_422(setup: dict[str, Any]) -> None:
    r = call(setup, "POST", "/records/query", body={"sort": [{"field": setup["f"]["Enc"]}]})
    assert r.status == 422
    assert "cannot be sorted" in r.json()["error"]["message"] and r.json()["error"]["details"]["reason"]


def test_out_of_time_is_a_422_saying_so(setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "SCAN_BUDGET_SECONDS", -1.0)
    for r in (
        call(setup, "POST", "/records/query", body={"view": setup["view"]}),
        call(setup, "GET", "/records/count", query={"view": setup["view"]}),
    ):
        assert r.status == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "filter_scan_out_of_time" and "took longer than" in error["message"]
        assert "narrow it" in error["message"] and error["details"]["reason"]
    # Filters that compile never scan, so the budget does not apply to them.
    assert count(setup, filter=json.dumps({"field": setup["f"]["Qty"], "op": "<", "value": 10})) == 10


def test_airtable_api_lists_through_such_a_view(
    world: RecordsWorld, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = pyairtable_api(make_api_token(world.users["owner"], scope="admin")).table(world.base_id, setup["parts"])
    records = table.all(view="Gears", page_size=100)
    assert [r["id"] for r in records] == expected(setup, GEARS)
    narrowed = table.all(view="Gears", formula="{Qty} >= 1000")
    assert [r["id"] for r in narrowed] == expected(setup, [i for i in GEARS if i >= 1000])
    assert [r["id"] for r in table.all(view="Gears", formula="FIND('Acme', {Supplier})")] == expected(
        setup, [i for i in GEARS if i % 5 == 0]
    )
    monkeypatch.setattr(store, "SCAN_BUDGET_SECONDS", -1.0)
    with pytest.raises(requests.HTTPError) as exc:
        table.all(view="Gears")
    assert exc.value.response.status_code == 422
    assert "took longer than" in exc.value.response.json()["error"]["message"]


def test_group_counts_of_a_grouped_view_with_such_a_filter(setup: dict[str, Any]) -> None:
    f = setup["f"]
    config = {"group_by": [f["Supplier"]], "filters": {"field": f["Enc"], "op": "contains", "value": "%20"}}
    view = setup["api"].as_user(setup["token"]).call(
        "tables", "POST", f"/tables/{setup['parts']}/views", body={"name": "Gears by supplier", "config": config}
    )
    assert view.status == 201, view.text
    r = call(setup, "GET", "/records", query={"view": view.json()["id"], "group_counts": "true", "page_size": "2"})
    assert r.status == 200, r.text
    groups = r.json()["group_counts"]
    acme = [i for i in GEARS if i % 5 == 0]
    bolt = [i for i in GEARS if i % 5 == 1]
    assert [g["count"] for g in groups["groups"]] == [len(acme), len(bolt), len(GEARS) - len(acme) - len(bolt)]
    assert [(g["value"] or [{}])[0].get("name") for g in groups["groups"]] == ["Acme", "Bolt Co", None]
    assert groups["truncated"] is False
    assert [rec["id"] for rec in r.json()["records"]] == expected(setup, acme[:2])


def test_scans_of_one_request_share_its_budget(setup: dict[str, Any]) -> None:
    """A page, its count and its group counts scan under one budget, counted from when the filter
    was compiled, so a request never runs several budgets' worth."""
    from pybase.db import session_scope
    from pybase.fields.types.base import Params
    from pybase.records.query import FieldSet
    from pybase.records.service import compile_where, live_fields

    with session_scope() as session:
        params = Params()
        usable = FieldSet(live_fields(session, table_id=setup["parts"]))
        gear = {"field": setup["f"]["Enc"], "op": "contains", "value": "%20"}
        where, residual = compile_where(usable, None, gear, params, [])
        assert residual is not None and "_py" not in where
        listing = store.Listing(setup["parts"], where, params, [], [], residual)
        assert store.count(session, listing) == len(GEARS)
        residual.started -= store.SCAN_BUDGET_SECONDS  # as if the request's page had used it all
        with pytest.raises(store.ScanOutOfTime):
            store.count(session, listing)


def test_link_contains_when_the_linked_primary_field_has_no_sql_form(world: RecordsWorld) -> None:
    api, owner = Api(), world.users["owner"].token
    makers, tools = make_table(world.base_id, name="Makers"), make_table(world.base_id, name="Tools")
    r = api.as_user(owner).call(
        "tables", "PATCH", f"/fields/{makers.primary_field_id}",
        body={"type": "formula", "options": {"formula": "ENCODE_URL_COMPONENT('Maker ' & RECORD_ID())"}},
    )  # fmt: skip
    assert r.status == 200, r.text
    link = field(api, owner, tools.id, "Maker", "link", linked_table_id=makers.id)["id"]
    first, second = create(api, owner, makers.id, {}, {})
    saw, drill, tape = create(
        api, owner, tools.id, {"Name": "saw", "Maker": [first["id"]]}, {"Name": "drill", "Maker": [second["id"]]},
        {"Name": "tape"},
    )  # fmt: skip

    def listed(node: dict[str, Any]) -> list[str]:
        r = api.as_user(owner).call("records", "POST", f"/tables/{tools.id}/records/query", body={"filter": node})
        assert r.status == 200, r.text
        return [rec["id"] for rec in r.json()["records"]]

    assert listed({"field": link, "op": "contains", "value": f"%20{first['id']}"}) == [saw["id"]]
    assert listed({"field": link, "op": "not_contains", "value": f"%20{first['id']}"}) == [drill["id"], tape["id"]]
    assert listed({"field": link, "op": "is_empty"}) == [tape["id"]]  # still in SQL
