"""Every filter operator of every field type, compiled to SQL and run against real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pybase.access.roles import Principal
from pybase.db import session_scope
from pybase.errors import ValidationFailed
from pybase.fields import service as fields_service
from pybase.records import service
from tests.test_records_helpers import World, make_table, make_world

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


SPEC: list[tuple[str, str, dict[str, Any]]] = [
    ("title", "single_line_text", {}),
    ("n", "number", {}),
    ("d", "date", {}),
    ("dt", "datetime", {"timezone": "Europe/Berlin"}),
    ("c", "checkbox", {}),
    ("s", "single_select", {"choices": ["Todo", "Done", "Later"]}),
    ("m", "multiple_select", {"choices": ["A", "B", "C"]}),
    ("u", "user", {"multiple": True}),
    ("dim", "dimension", {"unit": "mm"}),
    ("th", "thread", {}),
    ("mat", "material", {}),
    ("sf", "surface_finish", {}),
    ("att", "attachment", {}),
    ("dur", "duration", {}),
    ("cur", "currency", {}),
    ("pct", "percent", {}),
    ("rating", "rating", {}),
    ("auto", "autonumber", {}),
    ("ctime", "created_time", {}),
    ("cby", "created_by", {}),
    ("mtime", "last_modified_time", {}),
    ("mby", "last_modified_by", {}),
]


@pytest.fixture(scope="module")
def env() -> dict[str, Any]:
    world: World = make_world(("owner", "editor"))
    owner = Principal(user_id=world.owner.id)
    editor_id = world.users["editor"].id
    table = make_table(world.base_id, by=world.owner)
    ids: dict[str, str] = {"k": table.primary_field_id}
    with session_scope() as s:
        for name, ftype, options in SPEC:
            ids[name] = fields_service.create_field(
                s, principal=owner, table_id=table.id, name=name, type=ftype, options=options
            )["id"]
    rows = [
        {
            "k": "r1", "title": "Alpha bracket", "n": 1, "d": day(0), "dt": datetime.now(UTC).isoformat(),
            "c": True, "s": "Todo", "m": ["A", "B"], "u": [world.owner.id], "dim": "10 ±0.1 mm", "th": "M8",
            "mat": "6061", "sf": "Ra 1.6", "att": [{"url": "https://x.test/drawing.pdf"}], "dur": 60,
            "cur": 10, "pct": 0.5, "rating": 5,
        },
        {
            "k": "r2", "title": "beta housing", "n": 2.5, "d": day(-1), "dt": "2020-06-01T12:00:00Z", "c": False,
            "s": "Done", "m": ["B"], "u": [world.owner.id, editor_id], "dim": "1 in", "th": "1/4-20 UNC",
            "mat": "PEEK", "sf": "Ra 3.2 um", "dur": 3600, "cur": 20.5, "pct": 1, "rating": 1,
        },
        {"k": "r3", "title": "Gamma", "n": -3, "d": day(3), "m": ["C"], "dim": "0.5 cm", "th": "M10x1.25"},
        {"k": "r4", "d": "2020-01-01"},
        {"k": "r5", "title": "alphabet soup 100%", "n": 100, "d": day(-20), "s": "Later"},
    ]  # fmt: skip
    with session_scope() as s:
        service.create_records(
            s,
            principal=owner,
            table_id=table.id,
            records=[{"fields": {ids[key]: value for key, value in row.items()}} for row in rows],
        )
    return {"table": table.id, "ids": ids, "owner": owner, "editor_id": editor_id, "owner_id": world.owner.id}


def match(env: dict[str, Any], field: str, op: str, value: Any = None) -> set[str]:
    node = {"field": env["ids"][field], "op": op, "value": value}
    with session_scope() as s:
        page = service.list_records(s, principal=env["owner"], table_id=env["table"], filter=node, page_size=1000)
    return {r["fields"][env["ids"]["k"]] for r in page["records"]}


ALL = {"r1", "r2", "r3", "r4", "r5"}

CASES: list[tuple[str, str, Any, set[str]]] = [
    # text
    ("title", "is", "Gamma", {"r3"}),
    ("title", "is not", "Gamma", ALL - {"r3"}),
    ("title", "=", "Gamma", {"r3"}),
    ("title", "!=", "Gamma", ALL - {"r3"}),
    ("title", "contains", "alpha", {"r1", "r5"}),
    ("title", "contains", "ph", {"r1", "r5"}),
    ("title", "contains", "100%", {"r5"}),
    ("title", "does not contain", "alpha", {"r2", "r3", "r4"}),
    ("title", "starts with", "ALPHA", {"r1", "r5"}),
    ("title", "is empty", None, {"r4"}),
    ("title", "is not empty", None, ALL - {"r4"}),
    ("title", "is any of", ["Gamma", "beta housing"], {"r2", "r3"}),
    ("title", "is none of", ["Gamma"], ALL - {"r3"}),
    # number
    ("n", "=", 2.5, {"r2"}),
    ("n", "!=", 2.5, ALL - {"r2"}),
    ("n", "<", 1, {"r3"}),
    ("n", "<=", 1, {"r1", "r3"}),
    ("n", ">", 1, {"r2", "r5"}),
    ("n", ">=", "2.5", {"r2", "r5"}),
    ("n", "is empty", None, {"r4"}),
    ("n", "is not empty", None, ALL - {"r4"}),
    ("n", "is any of", [1, 100], {"r1", "r5"}),
    ("n", "is none of", [1, 100], {"r2", "r3", "r4"}),
    # date
    ("d", "is", "today", {"r1"}),
    ("d", "is", "yesterday", {"r2"}),
    ("d", "is", {"mode": "exact_date", "date": "2020-01-01"}, {"r4"}),
    ("d", "is", "2020-01-01", {"r4"}),
    ("d", "is not", "today", ALL - {"r1"}),
    ("d", "is before", "today", {"r2", "r4", "r5"}),
    ("d", "is after", "today", {"r3"}),
    ("d", "is on or before", "today", {"r1", "r2", "r4", "r5"}),
    ("d", "is on or after", "yesterday", {"r1", "r2", "r3"}),
    ("d", "is within", "past_week", {"r1", "r2"}),
    ("d", "is within", "past_month", {"r1", "r2", "r5"}),
    ("d", "is within", "past_year", {"r1", "r2", "r5"}),
    ("d", "is within", "next_week", {"r1", "r3"}),
    ("d", "is within", "next_month", {"r1", "r3"}),
    ("d", "is within", {"mode": "next_number_of_days", "days": 2}, {"r1"}),
    ("d", "is within", {"mode": "past_number_of_days", "days": 30}, {"r1", "r2", "r5"}),
    ("d", "is", "tomorrow", set()),
    ("d", "is", {"mode": "number_of_days_from_now", "days": 3}, {"r3"}),
    ("d", "is", {"mode": "number_of_days_ago", "days": 20}, {"r5"}),
    ("d", "is empty", None, set()),
    ("d", "is not empty", None, ALL),
    # date-time (Berlin time zone; exact instants and days)
    ("dt", "is", "2020-06-01", {"r2"}),
    ("dt", "is", "2020-06-01T12:00:00Z", {"r2"}),
    ("dt", "is before", "2021-01-01", {"r2"}),
    ("dt", "is within", "past_week", {"r1"}),
    ("dt", "is empty", None, {"r3", "r4", "r5"}),
    # checkbox
    ("c", "is", True, {"r1"}),
    ("c", "is", False, {"r2", "r3", "r4", "r5"}),
    ("c", "is not", True, {"r2", "r3", "r4", "r5"}),
    # single select
    ("s", "is", "Todo", {"r1"}),
    ("s", "is not", "Todo", ALL - {"r1"}),
    ("s", "is any of", ["Todo", "Done"], {"r1", "r2"}),
    ("s", "is none of", ["Todo", "Done"], {"r3", "r4", "r5"}),
    ("s", "contains", "o", {"r1", "r2"}),
    ("s", "does not contain", "o", {"r3", "r4", "r5"}),
    ("s", "is empty", None, {"r3", "r4"}),
    ("s", "is not empty", None, {"r1", "r2", "r5"}),
    # multiple select
    ("m", "has any of", ["A", "C"], {"r1", "r3"}),
    ("m", "has all of", ["A", "B"], {"r1"}),
    ("m", "has none of", ["B"], {"r3", "r4", "r5"}),
    ("m", "is exactly", ["B"], {"r2"}),
    ("m", "contains", "a", {"r1"}),
    ("m", "does not contain", "a", ALL - {"r1"}),
    ("m", "is empty", None, {"r4", "r5"}),
    ("m", "is not empty", None, {"r1", "r2", "r3"}),
    # dimension: values in any unit, compared in millimetres
    ("dim", ">", "9 mm", {"r1", "r2"}),
    ("dim", "<", 6, {"r3"}),
    ("dim", "=", "1 in", {"r2"}),
    ("dim", ">=", "0.0254 m", {"r2"}),
    ("dim", "<=", "0.5 cm", {"r3"}),
    ("dim", "!=", "25.4 mm", ALL - {"r2"}),
    ("dim", "is empty", None, {"r4", "r5"}),
    ("dim", "is not empty", None, {"r1", "r2", "r3"}),
    # thread: text operators on the designation, comparisons on the nominal diameter
    ("th", "is", "M8x1.25", {"r1"}),
    ("th", "contains", "unc", {"r2"}),
    ("th", "starts with", "M1", {"r3"}),
    ("th", ">", "7 mm", {"r1", "r3"}),
    ("th", "<", "0.3 in", {"r2"}),
    ("th", "is empty", None, {"r4", "r5"}),
    # material
    ("mat", "is", "Aluminum 6061-T6", {"r1"}),
    ("mat", "contains", "pee", {"r2"}),
    ("mat", "is not empty", None, {"r1", "r2"}),
    # surface finish
    ("sf", "<", "Ra 2 um", {"r1"}),
    ("sf", ">=", 3.2, {"r2"}),
    ("sf", "=", "N7", {"r1"}),
    # attachment
    ("att", "contains", "drawing", {"r1"}),
    ("att", "does not contain", "drawing", ALL - {"r1"}),
    ("att", "is empty", None, ALL - {"r1"}),
    ("att", "is not empty", None, {"r1"}),
    # duration, currency, percent, rating
    ("dur", ">", "0:00:30", {"r1", "r2"}),
    ("dur", ">", "0:30", {"r2"}),
    ("dur", "=", "1h", {"r2"}),
    ("cur", ">", 15, {"r2"}),
    ("pct", "<", 0.75, {"r1"}),
    ("rating", ">=", 3, {"r1"}),
    # computed
    ("auto", "<=", 2, {"r1", "r2"}),
    ("auto", "is any of", [5], {"r5"}),
    ("ctime", "is within", "today", ALL),
    ("ctime", "is before", "today", set()),
    ("mtime", "is on or after", "yesterday", ALL),
    ("mby", "is not empty", None, ALL),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_operator(env: dict[str, Any], field: str, op: str, value: Any, expected: set[str]) -> None:
    assert match(env, field, op, value) == expected


def test_user_operators(env: dict[str, Any]) -> None:
    owner, editor = env["owner_id"], env["editor_id"]
    assert match(env, "u", "has any of", [editor]) == {"r2"}
    assert match(env, "u", "has all of", [owner, editor]) == {"r2"}
    assert match(env, "u", "is", owner) == {"r1", "r2"}
    assert match(env, "u", "has none of", [editor]) == ALL - {"r2"}
    assert match(env, "u", "is empty") == {"r3", "r4", "r5"}
    assert match(env, "cby", "is", owner) == ALL
    assert match(env, "cby", "is not", owner) == set()
    assert match(env, "mby", "is any of", [editor]) == set()


def test_groups(env: dict[str, Any]) -> None:
    ids = env["ids"]
    tree = {
        "or": [
            {"and": [{"field": ids["n"], "op": ">", "value": 0}, {"field": ids["c"], "op": "is", "value": True}]},
            {"field": ids["s"], "op": "is", "value": "Later"},
            {"not": {"field": ids["d"], "op": "is not empty"}},
        ]
    }
    with session_scope() as s:
        page = service.list_records(s, principal=env["owner"], table_id=env["table"], filter=tree)
    assert {r["fields"][ids["k"]] for r in page["records"]} == {"r1", "r5"}
    with session_scope() as s:
        empty = service.list_records(s, principal=env["owner"], table_id=env["table"], filter={"and": []})
    assert len(empty["records"]) == 5


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("n", "contains", "x"),
        ("n", ">", "abc"),
        ("n", ">", None),
        ("d", "is within", "someday"),
        ("d", "is within", {"mode": "next_number_of_days"}),
        ("s", "is", "Nope"),
        ("c", "has any of", ["x"]),
        ("dim", ">", "10 parsecs"),
        ("title", "contains", ""),
        ("m", "has any of", []),
        ("u", "is", "bob"),
    ],
)
def test_bad_filters_are_422(env: dict[str, Any], field: str, op: str, value: Any) -> None:
    with pytest.raises(ValidationFailed):
        match(env, field, op, value)


def test_unknown_field_and_shape(env: dict[str, Any]) -> None:
    for tree in ({"field": "nope", "op": "is", "value": 1}, {"and": "x"}, {"field": env["ids"]["n"]}, [1]):
        with pytest.raises(ValidationFailed), session_scope() as s:
            service.list_records(s, principal=env["owner"], table_id=env["table"], filter=tree)


def test_sorts_nulls_and_keyset_pages(env: dict[str, Any]) -> None:
    ids = env["ids"]
    for direction in ("asc", "desc"):
        for key in ("n", "title", "d", "s", "dim", "th", "auto", "ctime"):
            sort = [{"field": ids[key], "direction": direction}]
            with session_scope() as s:
                full = service.list_records(s, principal=env["owner"], table_id=env["table"], sort=sort)
            order = [r["id"] for r in full["records"]]
            assert len(order) == 5
            seen: list[str] = []
            cursor = None
            while True:
                with session_scope() as s:
                    page = service.list_records(
                        s, principal=env["owner"], table_id=env["table"], sort=sort, page_size=2, cursor=cursor
                    )
                seen += [r["id"] for r in page["records"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert seen == order, (key, direction)
    sort = [{"field": ids["n"], "direction": "asc"}]
    with session_scope() as s:
        page = service.list_records(s, principal=env["owner"], table_id=env["table"], sort=sort)
    values = [r["fields"].get(ids["n"]) for r in page["records"]]
    assert values == [-3, 1, 2.5, 100, None]  # NULLs last ascending
