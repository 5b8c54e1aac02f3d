"""Formula fields: values computed on read from every field kind, filters and sorts compiled to SQL
(including Airtable-style {"formula": ...} filters), renames, and rejected formulas with positions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api
from tests.test_links_api import create, field, get
from tests.test_records_helpers import RecordsWorld, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> RecordsWorld:
    return make_world(roles=("owner", "editor"))


def add_formula(api: Api, token: str, table_id: str, name: str, formula: str) -> Any:
    return api.as_user(token).call(
        "tables",
        "POST",
        f"/tables/{table_id}/fields",
        body={"name": name, "type": "formula", "options": {"formula": formula}},
    )


@pytest.fixture(scope="module")
def t(world: RecordsWorld) -> dict[str, Any]:
    api, owner, ed = Api(), world.owner.token, world.users["editor"].token
    table, other = make_table(world.base_id, name="Formulas"), make_table(world.base_id, name="Others")
    kinds = {
        "Qty": ("number", {"precision": 2}),
        "Price": ("currency", {}),
        "Share": ("percent", {}),
        "Stars": ("rating", {}),
        "Secs": ("duration", {}),
        "Done": ("checkbox", {}),
        "Due": ("date", {}),
        "At": ("datetime", {}),
        "Status": ("single_select", {"choices": ["Todo", "Done"]}),
        "Tags": ("multiple_select", {"choices": ["a", "b"]}),
        "Mail": ("email", {}),
        "Notes": ("long_text", {}),
        "Num": ("autonumber", {}),
        "Created": ("created_time", {}),
    }
    ids = {name: field(api, owner, table.id, name, type_, **opts)["id"] for name, (type_, opts) in kinds.items()}
    ov = field(api, owner, other.id, "Weight", "number")["id"]
    ids["Others"] = field(api, owner, table.id, "Others", "link", linked_table_id=other.id)["id"]
    ids["Weights"] = field(api, owner, table.id, "Weights", "lookup", link_field_id=ids["Others"], field_id=ov)["id"]
    ids["Total"] = field(
        api, owner, table.id, "Total", "rollup", link_field_id=ids["Others"], field_id=ov, function="SUM"
    )["id"]
    ids["N"] = field(api, owner, table.id, "N", "count", link_field_id=ids["Others"])["id"]
    o1, o2 = create(api, ed, other.id, {"Name": "o1", "Weight": 2}, {"Name": "o2", "Weight": 3})
    rec1, rec2, rec3 = create(
        api, ed, table.id,
        {"Name": "alpha", "Qty": 4, "Price": 2.5, "Share": 0.5, "Stars": 3, "Secs": 90, "Done": True,
         "Due": "2024-03-05", "At": "2024-03-05T10:30:00Z", "Status": "Done", "Tags": ["a", "b"],
         "Mail": "a@example.com", "Notes": "50% off", "Others": [o1["id"], o2["id"]]},
        {"Name": "bravo", "Qty": 1, "Due": "2023-12-31", "Status": "Todo", "Others": [o2["id"]]},
        {"Name": "charlie"},
    )  # fmt: skip
    return {"table": table, "other": other, "ids": ids, "recs": (rec1, rec2, rec3)}


FORMULAS = {
    # name: (formula, value for alpha, value for charlie)
    "f_text": ("{Name} & '-' & {Qty}", "alpha-4", "charlie-"),
    "f_num": ("{Qty} * {Price} + {Share} + {Stars} + {Secs}", 4 * 2.5 + 0.5 + 3 + 90, 0),
    "f_bool": ("IF({Done}, 'yes', 'no')", "yes", "no"),
    "f_date": ("DATETIME_FORMAT(DATEADD({Due}, 1, 'days'), 'YYYY-MM-DD')", "2024-03-06", None),
    "f_dt": ("HOUR({At}) * 60 + MINUTE({At})", 630, 0),
    "f_select": ("{Status} & '!'", "Done!", "!"),
    "f_multi": ("ARRAYJOIN({Tags}, '|')", "a|b", None),
    "f_mail": ("LOWER(LEFT({Mail}, 1))", "a", None),
    "f_notes": ("SUBSTITUTE({Notes}, '%', ' percent')", "50 percent off", None),
    "f_auto": ("{Num} > 0", True, True),
    "f_created": ("YEAR(CREATED_TIME()) >= 2024", True, True),
    "f_link": ("ARRAYJOIN({Others}, '+')", "o1+o2", None),
    "f_lookup": ("SUM({Weights}) * 10", 50, 0),
    "f_rollup": ("{Total} + 1", 6, 1),
    "f_count": ("{N} * 2", 4, 0),
    "f_recid": ("LEN(RECORD_ID())", 17, 17),
    "f_chain": ("{f_num} * 2", (4 * 2.5 + 0.5 + 3 + 90) * 2, 0),
    "f_error": ("SQRT(-1)", {"error": "#ERROR!"}, {"error": "#ERROR!"}),
}


@pytest.fixture(scope="module")
def formulas(world: RecordsWorld, t: dict[str, Any]) -> dict[str, dict[str, Any]]:
    api = Api()
    out = {}
    for name, (formula, _, _) in FORMULAS.items():
        r = add_formula(api, world.owner.token, t["table"].id, name, formula)
        assert r.status == 201, (name, r.text)
        out[name] = r.json()
    return out


def test_formula_reads_every_field_kind(api: Api, world: RecordsWorld, t: dict[str, Any], formulas: dict) -> None:
    rec1, _, rec3 = t["recs"]
    alpha = get(api, world.users["editor"].token, t["table"].id, rec1["id"])["fields"]
    charlie = get(api, world.users["editor"].token, t["table"].id, rec3["id"])["fields"]
    for name, (_, expected_alpha, expected_charlie) in FORMULAS.items():
        fid = formulas[name]["id"]
        assert alpha.get(fid) == expected_alpha, (name, alpha.get(fid))
        assert charlie.get(fid) == expected_charlie, (name, charlie.get(fid))


def test_formula_is_stored_with_field_ids(api: Api, world: RecordsWorld, t: dict[str, Any], formulas: dict) -> None:
    options = formulas["f_text"]["options"]
    assert options["formula"] == "{{{}}} & '-' & {{{}}}".format(t["table"].primary_field_id, t["ids"]["Qty"])
    assert options["result_type"] == "text"
    assert set(options["referenced_field_ids"]) == {t["table"].primary_field_id, t["ids"]["Qty"]}
    assert formulas["f_num"]["options"]["result_type"] == "number"
    # Renaming a referenced field keeps the formula working.
    r = api.as_user(world.owner.token).call("tables", "PATCH", f"/fields/{t['ids']['Qty']}", body={"name": "Quantity"})
    assert r.status == 200, r.text
    alpha = get(api, world.users["editor"].token, t["table"].id, t["recs"][0]["id"])["fields"]
    assert alpha[formulas["f_text"]["id"]] == "alpha-4"
    r = api.as_user(world.owner.token).call("tables", "PATCH", f"/fields/{t['ids']['Qty']}", body={"name": "Qty"})
    assert r.status == 200


def ids_of(response: Any) -> list[str]:
    assert response.status == 200, response.text
    return [r["id"] for r in response.json()["records"]]


def test_formula_filters_and_sorts_run_in_sql(api: Api, world: RecordsWorld, t: dict[str, Any], formulas: dict) -> None:
    ed = api.as_user(world.users["editor"].token)
    url = f"/tables/{t['table'].id}/records"
    rec1, rec2, rec3 = (r["id"] for r in t["recs"])
    f = {name: formulas[name]["id"] for name in formulas}

    def q(**body: Any) -> Any:
        return ed.call("records", "POST", f"{url}/query", body=body)

    assert ids_of(q(filter={"field": f["f_num"], "op": ">", "value": 50})) == [rec1]
    assert ids_of(q(filter={"field": f["f_text"], "op": "contains", "value": "RAV"})) == [rec2]
    assert ids_of(q(filter={"field": f["f_text"], "op": "is", "value": "charlie-"})) == [rec3]
    assert ids_of(q(filter={"field": f["f_bool"], "op": "is", "value": "no"})) == [rec2, rec3]
    assert ids_of(q(filter={"field": f["f_rollup"], "op": ">", "value": 4})) == [rec1]
    assert ids_of(q(filter={"field": f["f_count"], "op": "=", "value": 2})) == [rec2]
    assert ids_of(q(filter={"field": f["f_auto"], "op": "is", "value": True})) == [rec1, rec2, rec3]
    assert ids_of(q(filter={"field": f["f_notes"], "op": "is", "value": "50 percent off"})) == [rec1]
    assert ids_of(q(filter={"field": f["f_error"], "op": "is_empty"})) == [rec1, rec2, rec3]
    # Ties (bravo and charlie compute 0) fall back to creation order in the first key's direction.
    assert ids_of(q(sort=[{"field": f["f_num"], "direction": "desc"}])) == [rec1, rec3, rec2]
    assert ids_of(q(sort=[{"field": f["f_text"], "direction": "desc"}])) == [rec3, rec2, rec1]
    assert ids_of(q(sort=[{"field": f["f_chain"], "direction": "asc"}])) == [rec2, rec3, rec1]
    assert ids_of(q(sort=[{"field": f["f_date"], "direction": "asc"}])) == [rec2, rec1, rec3]
    # Keyset paging over a formula sort key.
    page = q(sort=[{"field": f["f_num"], "direction": "asc"}], page_size=2).json()
    assert [r["id"] for r in page["records"]] == [rec2, rec3]
    assert ids_of(q(sort=[{"field": f["f_num"], "direction": "asc"}], page_size=2, cursor=page["next_cursor"])) == [
        rec1
    ]
    # Airtable's filterByFormula, written with names, as a filter node.
    assert ids_of(q(filter={"formula": "AND({Qty} >= 1, {Status} = 'Todo')"})) == [rec2]
    assert ids_of(q(filter={"formula": "OR(FIND('%', {Notes}), {Name} = 'charlie')"})) == [rec1, rec3]
    assert ids_of(q(filter={"formula": "IS_AFTER({Due}, '2024-01-01')"})) == [rec1]
    assert ids_of(q(filter={"formula": "{N} > 1"})) == [rec1]
    r = ed.call("records", "GET", url, query={"filter": json.dumps({"formula": "{Total} = 3"})})
    assert ids_of(r) == [rec2]


def test_formula_sql_runs_in_the_database_when_it_compiles(
    world: RecordsWorld, t: dict[str, Any], formulas: dict
) -> None:
    """The compiled filter is plain SQL over the row; array formulas become deferred conditions (a
    column of values computed in Python), and the part the database runs alone leaves them out."""
    from pybase.db import session_scope
    from pybase.fields.types.base import Params
    from pybase.records.query import Deferred, FieldSet, compile_filter, compile_split
    from pybase.records.service import live_fields

    with session_scope() as session:
        fields = FieldSet(live_fields(session, table_id=t["table"].id))
        sql = compile_filter({"field": formulas["f_num"]["id"], "op": ">", "value": 3}, fields, Params(), [])
        assert "r.data" in sql and "%(p0)s" in sql
        sql = compile_filter({"formula": "{Total} > 1"}, fields, Params(), [])
        assert "record_links" in sql
        for node in ({"field": formulas["f_multi"]["id"], "op": "is", "value": "a"}, {"formula": "ARRAYJOIN({Tags})"}):
            deferred = Deferred()
            full, alone = compile_split(node, fields, Params(), [], deferred)
            assert "_py.c0" in full and alone == "TRUE" and len(deferred.leaves) == 1
        deferred = Deferred()
        both = {"and": [{"formula": "ARRAYJOIN({Tags})"}, {"field": formulas["f_num"]["id"], "op": ">", "value": 3}]}
        full, alone = compile_split(both, fields, Params(), [], deferred)
        assert "_py.c0" in full and "_py" not in alone and "r.data" in alone
        either = {"or": [{"formula": "ARRAYJOIN({Tags})"}, {"field": formulas["f_num"]["id"], "op": ">", "value": 3}]}
        assert compile_split(either, fields, Params(), [], Deferred())[1] == "TRUE"


@pytest.mark.parametrize(
    ("formula", "offset"),
    [
        ("{Qty} * (2 + ", 13),
        ("{Qty} + {Nope}", 8),
        ("NOPE({Qty})", 0),
        ("IF(1, 2, 3, 4)", 0),
        ("'unterminated", 0),
    ],
)
def test_bad_formulas_are_rejected_with_a_position(
    api: Api, world: RecordsWorld, t: dict[str, Any], formula: str, offset: int
) -> None:
    r = add_formula(api, world.owner.token, t["table"].id, "Bad", formula)
    assert r.status == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_formula"
    assert error["details"]["position"]["offset"] == offset, error
    assert {"line", "column"} <= set(error["details"]["position"])


def test_formula_referencing_a_deleted_field(api: Api, world: RecordsWorld) -> None:
    owner, ed = world.owner.token, world.users["editor"].token
    table = make_table(world.base_id, name="Deleted refs")
    gone = field(api, owner, table.id, "Gone", "number")["id"]
    f = add_formula(api, owner, table.id, "Uses gone", "{Gone} + 1")
    assert f.status == 201
    (rec,) = create(api, ed, table.id, {"Name": "x", "Gone": 2})
    assert get(api, ed, table.id, rec["id"])["fields"][f.json()["id"]] == 3
    assert api.as_user(owner).call("tables", "DELETE", f"/fields/{gone}").status == 200
    # New formulas cannot refer to it, by name or by ID; the position points at the reference.
    for text, offset in (("2 * {Gone}", 4), (f"{{{gone}}}", 0)):
        r = add_formula(api, owner, table.id, "Again", text)
        assert r.status == 422, r.text
        assert r.json()["error"]["details"]["position"]["offset"] == offset
    # The existing formula now reads as an error, and filtering by it is a clear 422.
    assert get(api, ed, table.id, rec["id"])["fields"][f.json()["id"]] == {"error": "#ERROR!"}
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{table.id}/records/query",
        body={"filter": {"field": f.json()["id"], "op": ">", "value": 1}},
    )  # fmt: skip
    assert r.status == 422
    # Restoring the field brings the formula back.
    assert api.as_user(owner).call("tables", "POST", f"/trash/field/{gone}/restore").status == 200
    assert get(api, ed, table.id, rec["id"])["fields"][f.json()["id"]] == 3


def test_formula_updates_and_cycles(api: Api, world: RecordsWorld) -> None:
    owner = world.owner.token
    table = make_table(world.base_id, name="Cycles")
    a = add_formula(api, owner, table.id, "A", "1").json()
    b = add_formula(api, owner, table.id, "B", "{A} + 1").json()
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{a['id']}", body={"options": {"formula": "{B} * 2"}})
    assert r.status == 422, r.text
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{a['id']}", body={"options": {"formula": "{Name} & 'x'"}})
    assert r.status == 200, r.text
    assert r.json()["options"]["formula"] == f"{{{table.primary_field_id}}} & 'x'"
    assert r.json()["options"]["result_type"] == "text"
    r = api.as_user(owner).call("tables", "POST", f"/tables/{table.id}/fields", body={"name": "C", "type": "formula"})
    assert r.status == 422
    assert b["options"]["referenced_field_ids"] == [a["id"]]


def test_converting_a_formula_keeps_its_values_and_links_do_not_convert(api: Api, world: RecordsWorld) -> None:
    owner, ed = world.owner.token, world.users["editor"].token
    table, other = make_table(world.base_id, name="Convert"), make_table(world.base_id, name="Convert other")
    f = add_formula(api, owner, table.id, "Label", "{Name} & '!'").json()
    link = field(api, owner, table.id, "Other", "link", linked_table_id=other.id)
    (rec,) = create(api, ed, table.id, {"Name": "hey"})
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{f['id']}", body={"type": "single_line_text"})
    assert r.status == 200, r.text
    assert r.json()["conversion"]["converted"] == 1
    assert get(api, ed, table.id, rec["id"])["fields"][f["id"]] == "hey!"
    r = api.as_user(owner).call("tables", "PATCH", f"/fields/{link['id']}", body={"type": "single_line_text"})
    assert r.status == 422, r.text
