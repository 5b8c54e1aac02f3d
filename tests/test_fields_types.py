# ruff: noqa: E501  (one line per test value reads best)
"""Every field type round-trips through the records API, and refuses bad values with a 422."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest

from tests.conftest import Api
from tests.test_records_helpers import World, make_table, make_world

# type, options, [(input, typecast, expected output)], [bad inputs (without typecast)]
GOOD = "good"
TYPES: list[tuple[str, dict[str, Any], list[tuple[Any, bool, Any]], list[Any]]] = [
    ("single_line_text", {}, [("hello", False, "hello"), (12, True, "12"), ("a\nb", True, "a b")],
     [12, "a\nb", ["x"], "x" * 10_001]),
    ("long_text", {}, [("line 1\nline 2", False, "line 1\nline 2")], [{"a": 1}, True]),
    ("number", {"precision": 2}, [(3.14159, False, 3.14), (-2, False, -2), ("1,234.5", True, 1234.5)],
     ["12", "abc", True, [1], 1e16]),
    ("currency", {"symbol": "€"}, [(9.999, False, 10.0), ("€ 5.25", True, 5.25)], ["five", {"x": 1}]),
    ("percent", {}, [(0.25, False, 0.25), ("50%", True, 0.5)], ["half", "50%"]),
    ("checkbox", {}, [(True, False, True), (False, False, False), ("yes", True, True)], ["yes", 1, "maybe"]),
    ("date", {}, [("2024-02-29", False, "2024-02-29"), ("2024/3/1", True, "2024-03-01"), ("12/31/2023", True, "2023-12-31")],
     ["2023-02-30", "yesterday-ish", 20240101, "31/12/2023"]),
    ("datetime", {"timezone": "America/New_York"},
     [("2024-01-01T10:00:00Z", False, "2024-01-01T10:00:00.000Z"), ("2024-07-01T09:30:00", False, "2024-07-01T13:30:00.000Z"),
      ("2024-01-01", True, "2024-01-01T05:00:00.000Z")],
     ["not a date", 12, "2024-13-01T00:00:00Z"]),
    ("duration", {"format": "h:mm:ss"}, [(90, False, 90), ("1:30", False, 5400), ("2h 30m", False, 9000), ("1:00:05", False, 3605)],
     ["soon", -5, "1:xx"]),
    ("single_select", {"choices": [{"name": "Red", "color": "red"}, "Blue"]},
     [("Red", False, "Red"), ("Green", True, "Green")], ["Purple", 3, ["Red"]]),
    ("multiple_select", {"choices": ["A", "B"]}, [(["A", "B"], False, ["A", "B"]), ("B, C", True, ["B", "C"])],
     [["Z"], "A", [1]]),
    ("email", {}, [("a@example.com", False, "a@example.com")], ["nope", "a@b", 5]),
    ("url", {}, [("https://example.com/x", False, "https://example.com/x"), ("example.com", True, "https://example.com")],
     ["example.com", "javascript:alert(1)", 3]),
    ("phone", {}, [("+1 (555) 010-9999", False, "+1 (555) 010-9999")], ["call me", "12", 5551234]),
    ("rating", {"max": 5}, [(4, False, 4), ("3", True, 3)], [6, 2.5, -1, "3"]),
    ("attachment", {}, [
        # A file given by URL gets its ID at once and waits for its fetch (tests/test_attachment_fetch.py).
        ([{"url": "https://files.test/a/plan.dxf", "size": 10}], False,
         [{"url": "https://files.test/a/plan.dxf", "size": 10, "filename": "plan.dxf", "id": ANY, "status": "pending"}]),
        ("https://files.test/b.pdf", True, [{"url": "https://files.test/b.pdf", "filename": "b.pdf", "id": ANY, "status": "pending"}]),
    ], [[{"filename": "x"}], "https://files.test/b.pdf", [{"url": "ftp://x"}], [{"id": "bad"}], [{"url": "https://x", "evil": 1}]]),
    ("dimension", {"unit": "mm"}, [
        ("10.5 ±0.1 mm", False, {"value": 10.5, "unit": "mm", "tolerance": {"type": "symmetric", "plus": 0.1, "minus": 0.1},
                                "display": "10.5 ±0.1 mm"}),
        ("10.5 +0.2/-0.1", False, {"value": 10.5, "unit": "mm", "tolerance": {"type": "asymmetric", "plus": 0.2, "minus": 0.1},
                                  "display": "10.5 +0.2/-0.1 mm"}),
        ("1.5 in", False, {"value": 1.5, "unit": "in", "tolerance": None, "display": "1.5 in"}),
        ("10.4..10.6 mm", False, {"value": 10.5, "unit": "mm", "tolerance": {"type": "limits", "lower": 10.4, "upper": 10.6},
                                 "display": "10.4..10.6 mm"}),
        ({"value": 2, "unit": "um", "tolerance": {"type": "symmetric", "plus": 0.5}}, False,
         {"value": 2, "unit": "um", "tolerance": {"type": "symmetric", "plus": 0.5, "minus": 0.5}, "display": "2 ±0.5 um"}),
        (7, False, {"value": 7, "unit": "mm", "tolerance": None, "display": "7 mm"}),
    ], ["ten mm", "10 parsecs", "10.6..10.4", {"unit": "mm"}, "10 mm ±0.1 in", True]),
    ("thread", {}, [
        ("M8", False, {"system": "metric", "nominal_mm": 8, "pitch_mm": 1.25, "series": "coarse", "designation": "M8x1.25"}),
        ("M10x1.25-6g", False, {"system": "metric", "nominal_mm": 10, "pitch_mm": 1.25, "series": "fine", "class": "6g",
                                "designation": "M10x1.25-6g"}),
        ("1/4-20 UNC-2A", False, {"system": "unified", "nominal_mm": 6.35, "tpi": 20, "series": "UNC", "class": "2A",
                                  "designation": "1/4-20 UNC-2A"}),
        ("#10-32 UNF", False, {"system": "unified", "nominal_mm": 4.826, "tpi": 32, "series": "UNF", "designation": "#10-32 UNF"}),
    ], ["M", "#99-32", 8, "bolt"]),
    ("material", {}, [
        ("6061", False, {"name": "Aluminum 6061-T6", "family": "aluminum", "grade": "6061-T6", "density_g_cm3": 2.7}),
        ("Unobtainium", False, {"name": "Unobtainium"}),
        ({"name": "Steel", "density_g_cm3": 7.8}, False, {"name": "Steel", "density_g_cm3": 7.8}),
    ], [5, {"density_g_cm3": 1}, {"name": "x", "density_g_cm3": -1}, {"name": "x", "colour": "red"}]),
    ("surface_finish", {}, [
        ("Ra 1.6 µm", False, {"parameter": "Ra", "value": 1.6, "unit": "um", "um": 1.6, "grade": "N7"}),
        ("N9", False, {"parameter": "Ra", "value": 6.3, "unit": "um", "um": 6.3, "grade": "N9"}),
        ("Ra 63 µin", False, {"parameter": "Ra", "value": 63, "unit": "uin", "um": 1.6002}),
        ("Rz 10", False, {"parameter": "Rz", "value": 10, "unit": "um", "um": 10}),
    ], ["smooth", "Ra -1", True]),
]  # fmt: skip
COMPUTED = ["autonumber", "created_time", "last_modified_time", "created_by", "last_modified_by"]


@pytest.fixture(scope="module")
def env() -> dict[str, Any]:
    world: World = make_world(("owner", "editor"))
    table = make_table(world.base_id, by=world.owner)
    api = Api(world.owner.token)
    ids = {}
    for ftype, options, _, _ in TYPES:
        r = api.call(
            "tables", "POST", f"/tables/{table.id}/fields", body={"name": ftype, "type": ftype, "options": options}
        )
        assert r.status == 201, r.text
        ids[ftype] = r.json()["id"]
    for ftype in [*COMPUTED, "user"]:
        r = api.call("tables", "POST", f"/tables/{table.id}/fields", body={"name": ftype, "type": ftype})
        assert r.status == 201, r.text
        ids[ftype] = r.json()["id"]
    return {"table": table.id, "ids": ids, "world": world}


def _create(env: dict[str, Any], values: dict[str, Any], typecast: bool = False):
    api = Api(env["world"].users["editor"].token)
    return api.call("records", "POST", f"/tables/{env['table']}/records", body={"fields": values, "typecast": typecast})


@pytest.mark.parametrize("spec", TYPES, ids=[t[0] for t in TYPES])
def test_round_trip(env: dict[str, Any], spec: tuple[str, dict[str, Any], list[Any], list[Any]]) -> None:
    ftype, _, goods, bads = spec
    fid = env["ids"][ftype]
    for value, typecast, expected in goods:
        r = _create(env, {fid: value}, typecast)
        assert r.status == 201, (value, r.text)
        assert r.json()["fields"][fid] == expected, value
        # and back: the API's own output is accepted as input, and reads give the same
        again = _create(env, {fid: r.json()["fields"][fid]})
        assert again.status == 201, (expected, again.text)
        assert again.json()["fields"][fid] == expected
        got = Api(env["world"].owner.token).call("records", "GET", f"/tables/{env['table']}/records/{r.json()['id']}")
        assert got.json()["fields"][fid] == expected
    for bad in bads:
        r = _create(env, {fid: bad})
        assert r.status == 422, (ftype, bad, r.text)
        body = r.json()["error"]
        assert body["code"] == "validation_failed"
        assert body["details"]["errors"][0]["field"] == fid


def test_user_field(env: dict[str, Any]) -> None:
    world = env["world"]
    fid = env["ids"]["user"]
    r = _create(env, {fid: world.users["editor"].id})
    assert r.status == 201 and r.json()["fields"][fid] == world.users["editor"].id
    for bad in (world.outsider.id, "bob", [world.owner.id, world.users["editor"].id]):
        r = _create(env, {fid: bad})
        assert r.status == 422, (bad, r.text)


def test_computed_fields_read_only_and_filled(env: dict[str, Any]) -> None:
    ids = env["ids"]
    r = _create(env, {ids["single_line_text"]: "x"})
    fields = r.json()["fields"]
    editor = env["world"].users["editor"].id
    assert isinstance(fields[ids["autonumber"]], int) and fields[ids["autonumber"]] >= 1
    assert fields[ids["created_by"]] == editor and fields[ids["last_modified_by"]] == editor
    assert fields[ids["created_time"]].endswith("Z") and fields[ids["last_modified_time"]].endswith("Z")
    for ftype in COMPUTED:
        bad = _create(env, {ids[ftype]: 1})
        assert bad.status == 422 and "computed" in bad.json()["error"]["details"]["errors"][0]["message"]


def test_typecast_select_adds_option(env: dict[str, Any]) -> None:
    api = Api(env["world"].owner.token)
    r = api.call("tables", "GET", f"/fields/{env['ids']['single_select']}")
    names = [c["name"] for c in r.json()["options"]["choices"]]
    assert "Green" in names and "Red" in names


def test_field_types_endpoint(api: Api) -> None:
    r = api.call("tables", "GET", "/field-types")
    assert r.status == 200
    assert {t[0] for t in TYPES} | set(COMPUTED) | {"user"} <= set(r.json()["types"])
