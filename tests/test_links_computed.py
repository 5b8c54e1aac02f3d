"""Lookups, rollups (every aggregation) and counts: values on read, filters and sorts in SQL, and
the no-N+1 rule (a page costs the same number of SQL statements for 10 records as for 100)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import event

from tests.conftest import Api
from tests.test_links_api import create, field, get
from tests.test_records_helpers import RecordsWorld, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AGGREGATES = {
    # over Price (10, 5, blank)
    "SUM": ("Price", 15),
    "AVG": ("Price", 7.5),
    "MIN": ("Price", 5),
    "MAX": ("Price", 10),
    "COUNT": ("Price", 2),
    "COUNTA": ("Price", 2),
    "COUNTALL": ("Price", 3),
    "ARRAYCOMPACT": ("Price", [10, 5]),
    # over Code ("x", "y", "x")
    "ARRAYJOIN": ("Code", "x, y, x"),
    "ARRAYUNIQUE": ("Code", ["x", "y"]),
    "CONCATENATE": ("Code", "xyx"),
    # over Active (true, unchecked, true)
    "AND": ("Active", False),
    "OR": ("Active", True),
    "XOR": ("Active", False),
}


@pytest.fixture(scope="module")
def world() -> RecordsWorld:
    return make_world(roles=("owner", "editor"))


@pytest.fixture(scope="module")
def setup(world: RecordsWorld) -> dict[str, Any]:
    api, owner, ed = Api(), world.owner.token, world.users["editor"].token
    suppliers, parts = make_table(world.base_id, name="Vendors"), make_table(world.base_id, name="Items")
    f: dict[str, str] = {}
    f["Price"] = field(api, owner, suppliers.id, "Price", "number", precision=2)["id"]
    f["Code"] = field(api, owner, suppliers.id, "Code", "single_line_text")["id"]
    f["Active"] = field(api, owner, suppliers.id, "Active", "checkbox")["id"]
    link = field(api, owner, parts.id, "Vendors", "link", linked_table_id=suppliers.id)
    f["link"] = link["id"]
    for name, (target, _) in AGGREGATES.items():
        f[f"r_{name}"] = field(
            api, owner, parts.id, f"R {name}", "rollup", link_field_id=link["id"], field_id=f[target], function=name
        )["id"]
    f["r_formula"] = field(
        api, owner, parts.id, "R twice", "rollup", link_field_id=link["id"], field_id=f["Price"],
        formula="SUM(values) * 2",
    )["id"]  # fmt: skip
    f["lk_price"] = field(api, owner, parts.id, "Prices", "lookup", link_field_id=link["id"], field_id=f["Price"])["id"]
    f["lk_code"] = field(api, owner, parts.id, "Codes", "lookup", link_field_id=link["id"], field_id=f["Code"])["id"]
    f["count"] = field(api, owner, parts.id, "N vendors", "count", link_field_id=link["id"])["id"]
    a, b, c = create(
        api, ed, suppliers.id,
        {"Name": "A", "Price": 10, "Code": "x", "Active": True},
        {"Name": "B", "Price": 5, "Code": "y"},
        {"Name": "C", "Code": "x", "Active": True},
    )  # fmt: skip
    full, single, empty = create(
        api, ed, parts.id,
        {"Name": "full", "Vendors": [a["id"], b["id"], c["id"]]},
        {"Name": "single", "Vendors": [b["id"]]},
        {"Name": "empty"},
    )  # fmt: skip
    return {
        "suppliers": suppliers, "parts": parts, "f": f, "vendors": (a, b, c), "parts_rows": (full, single, empty),
    }  # fmt: skip


def test_every_rollup_aggregation_lookup_and_count(api: Api, world: RecordsWorld, setup: dict[str, Any]) -> None:
    f = setup["f"]
    full, _single, empty = setup["parts_rows"]
    values = get(api, world.users["editor"].token, setup["parts"].id, full["id"])["fields"]
    for name, (_, expected) in AGGREGATES.items():
        assert values[f[f"r_{name}"]] == expected, name
    assert values[f["r_formula"]] == 30
    assert values[f["lk_price"]] == [10, 5]
    assert values[f["lk_code"]] == ["x", "y", "x"]
    assert values[f["count"]] == 3
    # The create response already carries computed values.
    assert full["fields"][f["count"]] == 3 and full["fields"][f["r_SUM"]] == 15
    nothing = get(api, world.users["editor"].token, setup["parts"].id, empty["id"])["fields"]
    assert nothing[f["count"]] == 0 and nothing[f["r_SUM"]] == 0 and nothing[f["r_COUNTALL"]] == 0
    assert f["lk_price"] not in nothing and f["link"] not in nothing


def test_computed_fields_cannot_be_written(api: Api, world: RecordsWorld, setup: dict[str, Any]) -> None:
    f = setup["f"]
    for key in ("count", "r_SUM", "lk_code"):
        r = api.as_user(world.users["editor"].token).call(
            "records", "POST", f"/tables/{setup['parts'].id}/records", body={"fields": {f[key]: 1}}
        )
        assert r.status == 422, r.text


def test_lookup_and_rollup_follow_changes_in_linked_records(
    api: Api, world: RecordsWorld, setup: dict[str, Any]
) -> None:
    ed, f = world.users["editor"].token, setup["f"]
    _a, b, _ = setup["vendors"]
    _, single, _ = setup["parts_rows"]
    r = api.as_user(ed).call(
        "records", "PATCH", f"/tables/{setup['suppliers'].id}/records/{b['id']}", body={"fields": {"Price": 6}}
    )
    assert r.status == 200
    values = get(api, ed, setup["parts"].id, single["id"])["fields"]
    assert values[f["r_SUM"]] == 6 and values[f["lk_price"]] == [6]
    r = api.as_user(ed).call(
        "records", "PATCH", f"/tables/{setup['suppliers'].id}/records/{b['id']}", body={"fields": {"Price": 5}}
    )
    assert r.status == 200


def listing(api: Api, token: str, table_id: str, **query: Any) -> list[dict[str, Any]]:
    import json

    q = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in query.items()}
    r = api.as_user(token).call("records", "GET", f"/tables/{table_id}/records", query=q)
    assert r.status == 200, r.text
    return r.json()["records"]


def test_filters_and_sorts_on_count_rollup_lookup_and_link_run_in_sql(
    api: Api, world: RecordsWorld, setup: dict[str, Any]
) -> None:
    ed, f, t = world.users["editor"].token, setup["f"], setup["parts"].id
    full, single, empty = setup["parts_rows"]
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(listing(api, ed, t, filter={"field": f["count"], "op": ">", "value": 1})) == [full["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["count"], "op": "=", "value": 0})) == [empty["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["r_SUM"], "op": ">=", "value": 5})) == [full["id"], single["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["r_AVG"], "op": "=", "value": 7.5})) == [full["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["r_COUNTALL"], "op": "<", "value": 1})) == [empty["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["lk_code"], "op": "contains", "value": "Y"})) == [
        full["id"],
        single["id"],
    ]
    assert ids(listing(api, ed, t, filter={"field": f["lk_code"], "op": "is_empty"})) == [empty["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["link"], "op": "is_empty"})) == [empty["id"]]
    assert ids(listing(api, ed, t, filter={"field": f["link"], "op": "contains", "value": "c"})) == [full["id"]]
    assert ids(listing(api, ed, t, sort=[{"field": f["count"], "direction": "desc"}])) == [
        full["id"],
        single["id"],
        empty["id"],
    ]
    assert ids(listing(api, ed, t, sort=[{"field": f["r_SUM"], "direction": "asc"}])) == [
        empty["id"],
        single["id"],
        full["id"],
    ]
    # Keyset paging on a computed sort key.
    r = api.as_user(ed).call(
        "records", "GET", f"/tables/{t}/records", query={"sort": f"-{f['count']}", "page_size": "2"}
    )
    page = r.json()
    assert ids(page["records"]) == [full["id"], single["id"]] and page["next_cursor"]
    r = api.as_user(ed).call(
        "records", "GET", f"/tables/{t}/records",
        query={"sort": f"-{f['count']}", "page_size": "2", "cursor": page["next_cursor"]},
    )  # fmt: skip
    assert ids(r.json()["records"]) == [empty["id"]]
    # A rollup computed in Python (ARRAYJOIN, a text) is filtered on its computed values, in a scan.
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{t}/records/query",
        body={"filter": {"field": f["r_ARRAYJOIN"], "op": "=", "value": "y"}},
    )  # fmt: skip
    assert r.status == 200 and ids(r.json()["records"]) == [single["id"]]
    # Sorting by it stays a 422 that says why.
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{t}/records/query", body={"sort": [{"field": f["r_ARRAYJOIN"]}]}
    )
    assert r.status == 422 and "cannot be sorted" in r.json()["error"]["message"]
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{t}/records/query", body={"filter": {"field": f["count"], "op": ">", "value": "x"}}
    )
    assert r.status == 422


def test_bad_lookup_and_rollup_options(api: Api, world: RecordsWorld, setup: dict[str, Any]) -> None:
    owner, f, t = world.owner.token, setup["f"], setup["parts"].id
    bad = [
        ("lookup", {"link_field_id": f["Price"], "field_id": f["Price"]}),  # not a link of this table
        ("lookup", {"link_field_id": f["link"], "field_id": f["count"]}),  # not a field of the linked table
        ("rollup", {"link_field_id": f["link"], "field_id": f["Price"], "function": "MEDIAN"}),
        ("rollup", {"link_field_id": f["link"], "field_id": f["Price"], "formula": "SUM({Other})"}),
        ("rollup", {"link_field_id": f["link"], "field_id": f["Price"], "formula": "SUM(values"}),
        ("rollup", {"link_field_id": f["link"], "field_id": f["Price"]}),
        ("count", {"link_field_id": "fldAAAAAAAAAAAAAA"}),
        ("count", {}),
    ]
    for type_, options in bad:
        r = api.as_user(owner).call(
            "tables", "POST", f"/tables/{t}/fields", body={"name": "Bad", "type": type_, "options": options}
        )
        assert r.status == 422, (type_, options, r.text)


class StatementCounter:
    """Counts every SQL statement sent: SQLAlchemy's before_cursor_execute for ORM/Core statements,
    plus psycopg's cursor.execute for the raw statements the records engine sends itself."""

    def __init__(self) -> None:
        self.sqlalchemy = 0
        self.psycopg = 0

    def __enter__(self) -> StatementCounter:
        from pybase.db import get_engine

        self.engine = get_engine()
        event.listen(self.engine, "before_cursor_execute", self._on_sa)
        self._original = psycopg.Cursor.execute
        counter = self

        def execute(cur: Any, *args: Any, **kwargs: Any) -> Any:
            counter.psycopg += 1
            return counter._original(cur, *args, **kwargs)

        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        return self

    def _on_sa(self, *args: Any) -> None:
        self.sqlalchemy += 1

    def __exit__(self, *exc: Any) -> None:
        psycopg.Cursor.execute = self._original  # type: ignore[method-assign]
        event.remove(self.engine, "before_cursor_execute", self._on_sa)


def test_a_page_costs_the_same_number_of_queries_for_10_and_100_records(world: RecordsWorld) -> None:
    """Two link fields, three lookups, a rollup, a count and formulas (one over a lookup)."""
    from pybase.db import session_scope
    from pybase.records import service as records

    api, owner, ed = Api(), world.owner.token, world.users["editor"].token
    main, left, right = (make_table(world.base_id, name=n) for n in ("Main", "LeftT", "RightT"))
    lv = field(api, owner, left.id, "V", "number")["id"]
    rv = field(api, owner, right.id, "W", "single_line_text")["id"]
    l1 = field(api, owner, main.id, "L", "link", linked_table_id=left.id)["id"]
    l2 = field(api, owner, main.id, "R", "link", linked_table_id=right.id, create_inverse=False)["id"]
    field(api, owner, main.id, "LV", "lookup", link_field_id=l1, field_id=lv)
    field(api, owner, main.id, "RW", "lookup", link_field_id=l2, field_id=rv)
    field(api, owner, main.id, "LN", "lookup", link_field_id=l1, field_id=left.primary_field_id)
    field(api, owner, main.id, "Sum", "rollup", link_field_id=l1, field_id=lv, function="SUM")
    field(api, owner, main.id, "N", "count", link_field_id=l2)
    field(api, owner, main.id, "F", "formula", formula="{Sum} * 2 + {N}")
    field(api, owner, main.id, "G", "formula", formula="ARRAYJOIN({RW}, '+')")
    lefts = create(api, ed, left.id, *({"Name": f"l{i}", "V": i} for i in range(20)))
    rights = create(api, ed, right.id, *({"Name": f"r{i}", "W": f"w{i}"} for i in range(20)))
    rows = [
        {"Name": f"m{i}", "L": [lefts[i % 20]["id"], lefts[(i + 1) % 20]["id"]], "R": [rights[i % 20]["id"]]}
        for i in range(120)
    ]
    create(api, ed, main.id, *rows)
    counts = {}
    for size in (1, 10, 100):  # the first call warms per-process caches (index registry)
        with session_scope() as session, StatementCounter() as counter:
            page = records.list_records(
                session, principal=world.users["editor"].principal, table_id=main.id, page_size=size, field_key="name"
            )
        assert len(page["records"]) == size
        if size == 1:
            continue
        first = page["records"][0]["fields"]
        assert first["LV"] == [0, 1] and first["Sum"] == 1 and first["N"] == 1 and first["F"] == 3
        assert first["RW"] == ["w0"] and first["G"] == "w0" and first["LN"] == ["l0", "l1"]
        last = page["records"][-1]["fields"]
        i = size - 1
        assert last["Sum"] == i % 20 + (i + 1) % 20 and last["R"] == [
            {"id": rights[i % 20]["id"], "name": f"r{i % 20}"}
        ]
        counts[size] = (counter.sqlalchemy, counter.psycopg)
    assert counts[10] == counts[100], counts
    assert counts[10][1] <= 12, counts  # access check, fields, page, links, linked tables' fields, ...


def test_nested_lookups_upsert_and_sort_by_link(api: Api, world: RecordsWorld) -> None:
    """A lookup of a formula (and of a lookup) in the linked table; upserts write links; sorting by a
    link orders by the first linked record's primary value."""
    owner, ed = world.owner.token, world.users["editor"].token
    top, mid, low = (make_table(world.base_id, name=n) for n in ("Top", "Mid", "Low"))
    low_v = field(api, owner, low.id, "V", "number")["id"]
    mid_low = field(api, owner, mid.id, "Low", "link", linked_table_id=low.id)["id"]
    mid_vs = field(api, owner, mid.id, "Vs", "lookup", link_field_id=mid_low, field_id=low_v)["id"]
    mid_f = field(api, owner, mid.id, "Label", "formula", formula="{Name} & ':' & SUM({Vs})")["id"]
    top_mid = field(api, owner, top.id, "Mid", "link", linked_table_id=mid.id)["id"]
    top_labels = field(api, owner, top.id, "Labels", "lookup", link_field_id=top_mid, field_id=mid_f)["id"]
    top_vs = field(api, owner, top.id, "Deep", "lookup", link_field_id=top_mid, field_id=mid_vs)["id"]
    l1, l2 = create(api, ed, low.id, {"Name": "l1", "V": 2}, {"Name": "l2", "V": 5})
    m1, m2 = create(
        api, ed, mid.id, {"Name": "zeta", "Low": [l1["id"], l2["id"]]}, {"Name": "alpha", "Low": [l2["id"]]}
    )
    rows = [{"fields": {"Name": "t1", "Mid": [m1["id"]]}}, {"fields": {"Name": "t2", "Mid": [m2["id"], m1["id"]]}}]
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{top.id}/records/upsert", body={"records": rows, "merge_on": ["Name"]}
    )
    assert r.status in (200, 201), r.text
    t1, t2 = r.json()["records"]
    assert t1["fields"][top_labels] == ["zeta:7"] and t1["fields"][top_vs] == [2, 5]
    assert t2["fields"][top_labels] == ["alpha:5", "zeta:7"]
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{top.id}/records/upsert",
        body={"records": [{"fields": {"Name": "t1", "Mid": [m2["id"]]}}], "merge_on": ["Name"]},
    )  # fmt: skip
    assert r.status in (200, 201), r.text
    assert r.json()["records"][0]["id"] == t1["id"] and r.json()["records"][0]["fields"][top_labels] == ["alpha:5"]
    r = api.as_user(ed).call("records", "GET", f"/tables/{top.id}/records", query={"sort": f"-{top_mid}"})
    assert [rec["fields"][top_mid][0]["name"] for rec in r.json()["records"]] == ["alpha", "alpha"]
    assert [rec["id"] for rec in r.json()["records"]] == [t2["id"], t1["id"]]
