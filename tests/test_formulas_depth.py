"""Formulas of any size: long chains compile to flat SQL and agree with Python, deep nesting answers a
422 that says so, and no input size answers a 5xx (filterByFormula, formula filters, formula fields)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from pybase.formulas import FormulaError, NotCompilable, compile_sql_full, evaluate, parse, text_resolver
from pybase.formulas.parser import MAX_DEPTH
from pybase.links.computed import render_literal
from tests.conftest import Api
from tests.test_links_api import create, field
from tests.test_records_helpers import RecordsWorld, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _resolve(field_id: str) -> tuple[str, str]:
    return ("(r.data ->> 'x')::numeric", "number") if field_id == "x" else ("(r.data ->> 't')", "text")


def _sql(formula: str) -> str:
    return render_literal(compile_sql_full(parse(formula), text_resolver(_resolve)).condition())


@pytest.mark.parametrize(
    "formula",
    [
        "+".join(["1"] * 70),
        "&".join(["'a'"] * 70),
        "AND(" * 70 + "1" + ")" * 70,
        "OR(" * 70 + "{x}" + ")" * 70,
        "+".join(["{x}"] * 1000),
        "-".join(["{x}"] * 3000),
        "*".join(["{x}"] * 2000),
        "&".join(["{t}"] * 3000),
        "CONCATENATE(" + ",".join(["{t}"] * 2000) + ")",
        "IF({x}," * 60 + "1" + ",0)" * 60,
    ],
    ids=["plus70", "amp70", "and70", "or70", "plus1000", "minus3000", "times2000", "amp3000", "concat2000", "if60"],
)
def test_long_chains_compile_and_evaluate(formula: str) -> None:
    assert _sql(formula)
    assert not isinstance(evaluate(parse(formula), {"x": 1, "t": "a"}), dict)


def test_nesting_beyond_the_limit_is_a_clear_formula_error() -> None:
    too_deep = MAX_DEPTH + 1
    for formula in ("(" * too_deep + "1" + ")" * too_deep, "-" * 500 + "1", "ABS(" * 300 + "1" + ")" * 300):
        with pytest.raises(FormulaError, match="nested too deeply"):
            parse(formula)


def test_exponential_sql_is_refused_before_rendering() -> None:
    # Each comparison reads its left side several times: 12 chained `=` would be 3^12 nodes of SQL.
    tree = parse("=".join(["{x}"] * 12))
    with pytest.raises(NotCompilable, match="too large"):
        compile_sql_full(tree, text_resolver(_resolve))
    assert evaluate(tree, {"x": 1}) is True
    with pytest.raises(NotCompilable, match=r"too large|too deeply"):
        compile_sql_full(parse("=".join(["{x}"] * 40)), text_resolver(_resolve))


def test_folded_and_or_keep_their_meaning() -> None:
    cases = {
        "AND(AND({x}, {t}), 1)": [({"x": 1, "t": "a"}, True), ({"x": 0, "t": "a"}, False), ({"x": 1}, False)],
        "OR(OR({x}), OR({t}, 0))": [({"x": 0, "t": ""}, False), ({"x": 0, "t": "a"}, True)],
        "AND(AND({x}, ERROR()), 1)": [({"x": 1}, None)],
    }
    for formula, rows in cases.items():
        for values, expected in rows:
            got = evaluate(parse(formula), values)
            if expected is None:
                assert got.__class__.__name__ == "ErrorValue"
            else:
                assert got is expected, (formula, values, got)


@pytest.fixture(scope="module")
def world() -> RecordsWorld:
    return make_world(roles=("owner",))


@pytest.fixture(scope="module")
def table(world: RecordsWorld) -> dict[str, Any]:
    api, owner = Api(), world.owner.token
    plain = make_table(world.base_id, name="Depth")
    field(api, owner, plain.id, "Qty", "number")
    records = create(api, owner, plain.id, {"Name": "a", "Qty": 1}, {"Name": "b", "Qty": 3}, {"Name": "c"})
    return {"id": plain.id, "records": records}


def _v0(world: RecordsWorld, table_id: str, formula: str) -> Any:
    return Api(world.owner.token).call(
        "airtable", "GET", f"/v0/{world.base_id}/{table_id}", query={"filterByFormula": formula}
    )


def _native(world: RecordsWorld, table_id: str, formula: str) -> Any:
    return Api(world.owner.token).call(
        "records",
        "GET",
        f"/tables/{table_id}/records",
        query={"filter": json.dumps({"formula": formula}), "field_key": "name"},
    )


def test_filter_by_formula_chains_answer_200(world: RecordsWorld, table: dict[str, Any]) -> None:
    tid = table["id"]
    plus = "+".join(["{Qty}"] * 70) + " > 100"  # 70 x Qty: only Qty = 3 (210) passes
    nested_and = "AND(" * 70 + "{Qty} > 2" + ")" * 70
    amp = "&".join(["{Name}"] * 70) + " = '" + "b" * 70 + "'"
    for formula in (plus, nested_and, amp):
        r = _v0(world, tid, formula)
        assert r.status == 200, (formula[:40], r.status, r.text[:300])
        assert [rec["fields"]["Name"] for rec in r.json()["records"]] == ["b"]
        r = _native(world, tid, formula)
        assert r.status == 200, (formula[:40], r.status, r.text[:300])
        assert [rec["fields"]["Name"] for rec in r.json()["records"]] == ["b"]


def test_formula_field_summing_a_thousand_terms(world: RecordsWorld, table: dict[str, Any]) -> None:
    api = Api(world.owner.token)
    r = api.call(
        "tables",
        "POST",
        f"/tables/{table['id']}/fields",
        body={"name": "Sum1000", "type": "formula", "options": {"formula": "+".join(["{Qty}"] * 1000)}},
    )
    assert r.status == 201, r.text[:300]
    r = api.call("records", "GET", f"/tables/{table['id']}/records", query={"field_key": "name"})
    assert r.status == 200, r.text[:300]
    assert sorted(rec["fields"].get("Sum1000") or 0 for rec in r.json()["records"]) == [0, 1000, 3000]


def test_fuzzed_sizes_never_answer_5xx(world: RecordsWorld, table: dict[str, Any]) -> None:
    rng = random.Random(10)
    ops = ["+", "-", "*", "/", "&", "=", "<"]
    shapes = [
        lambda n: rng.choice(ops).join(["{Qty}"] * n),
        lambda n: "".join(rng.choice(["AND(", "OR(", "NOT(", "IF(1,", "ABS(", "("]) for _ in range(n)),
        lambda n: "-" * n + "{Qty}",
        lambda n: "(" * n + "1" + ")" * n,
        lambda n: "AND(" * n + "{Qty}" + ")" * n,
        lambda n: "".join(rng.choice(ops) + "{Qty}" for _ in range(n))[1:],
    ]
    for n in (2, 50, 99, 100, 101, 300, 2000):
        for shape in shapes:
            formula = shape(n)
            for call in (_v0, _native):
                r = call(world, table["id"], formula)
                assert r.status < 500, (n, formula[:60], r.status, r.text[:300])
                if r.status >= 400:
                    assert r.status == 422, (n, formula[:60], r.status, r.text[:300])
