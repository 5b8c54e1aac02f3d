"""filterByFormula with what formula fields support: dates parsed from text, arrays of links and
lookups, links used as text, multiple selects. What compiles runs in PostgreSQL; the rest is
evaluated in Python over keyset batches, paginated the same way, and refused only when the scan
runs out of time. Written with pyairtable's formula helpers through the in-process /v0 transport."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import requests

from tests.airtable_transport import pyairtable_api
from tests.factories import World, make_api_token, make_base, make_world

pytestmark = pytest.mark.usefixtures("no_airtable_rate_limit")


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(roles=("owner",))


@pytest.fixture(scope="module")
def tables(world: World) -> dict[str, Any]:
    api = pyairtable_api(make_api_token(world.owner, scope="admin"))
    base = api.base(make_base(world.workspace_id, by=world.owner))
    suppliers = base.create_table(
        "Suppliers", [{"name": "Supplier", "type": "singleLineText"},
                      {"name": "Score", "type": "number", "options": {"precision": 0}}],
    )  # fmt: skip
    parts = base.create_table(
        "Parts",
        [
            {"name": "Part", "type": "singleLineText"},
            {"name": "Due", "type": "date", "options": {"dateFormat": {"name": "iso"}}},
            {"name": "Due text", "type": "singleLineText"},
            {"name": "Tags", "type": "multipleSelects", "options": {"choices": [{"name": "red"}, {"name": "blue"}]}},
        ],
    )
    link = parts.create_field("Supplier", "multipleRecordLinks", options={"linkedTableId": suppliers.id})
    score = suppliers.schema(force=True).field("Score")
    parts.create_field("Scores", "multipleLookupValues",
                       options={"recordLinkFieldId": link.id, "fieldIdInLinkedTable": score.id})  # fmt: skip
    parts.create_field("Supplier names", "formula", options={"formula": "ARRAYJOIN({Supplier}, '+')"})
    acme, bolt, _ = suppliers.batch_create(
        [{"Supplier": "Acme", "Score": 7}, {"Supplier": "Bolt Co", "Score": 9}, {"Supplier": "Idle", "Score": 1}]
    )
    rows = parts.batch_create(
        [
            {"Part": "Gear", "Due": "2024-01-02", "Due text": "2024-01-02", "Tags": ["red"],
             "Supplier": [acme["id"], bolt["id"]]},
            {"Part": "Bolt", "Due": "2024-01-03", "Due text": "3 Jan 2024", "Supplier": [bolt["id"]]},
            {"Part": "Nut", "Due": "2024-02-01", "Due text": "", "Tags": ["blue", "red"], "Supplier": [acme["id"]]},
            {"Part": "Washer"},
        ]
    )  # fmt: skip
    return {"api": api, "parts": parts, "rows": rows}


def names(found: list[dict[str, Any]]) -> list[str]:
    return sorted(r["fields"]["Part"] for r in found)


def refused(table: Any, formula: str) -> tuple[int, Any]:
    with pytest.raises(requests.HTTPError) as exc:
        table.all(formula=formula)
    return exc.value.response.status_code, exc.value.response.json()


def test_dates_from_pyairtable_helpers(tables: dict[str, Any]) -> None:
    from pyairtable.formulas import IS_SAME, Field, match

    parts = tables["parts"]
    assert names(parts.all(formula=match({"Due": date(2024, 1, 2)}))) == ["Gear"]
    assert names(parts.all(formula=IS_SAME(Field("Due"), date(2024, 1, 3), "day"))) == ["Bolt"]
    assert names(parts.all(formula=IS_SAME(Field("Due"), date(2024, 1, 15), "month"))) == ["Bolt", "Gear"]


def test_datetime_parse_of_a_text_field_is_scanned(tables: dict[str, Any]) -> None:
    parts = tables["parts"]
    assert names(parts.all(formula="IS_SAME(DATETIME_PARSE({Due text}), {Due}, 'day')")) == ["Bolt", "Gear"]
    assert names(parts.all(formula="DATETIME_PARSE({Due text}, 'D MMM YYYY') = DATETIME_PARSE('2024-01-03')")) == [
        "Bolt"
    ]


def test_links_and_lookups_as_arrays_and_text(tables: dict[str, Any]) -> None:
    from pyairtable.formulas import FIND, Field

    parts = tables["parts"]
    assert names(parts.all(formula=FIND("Acme", Field("Supplier")))) == ["Gear", "Nut"]
    assert names(parts.all(formula="{Supplier} & '' = 'Bolt Co'")) == ["Bolt"]
    assert names(parts.all(formula="ARRAYJOIN({Supplier}, ';') = 'Acme;Bolt Co'")) == ["Gear"]
    assert names(parts.all(formula="ARRAYJOIN(ARRAYUNIQUE({Scores})) = '9'")) == ["Bolt"]
    assert names(parts.all(formula="COUNTALL(ARRAYCOMPACT({Scores})) = 2")) == ["Gear"]
    assert names(parts.all(formula="COUNTALL({Scores}) >= 1")) == ["Bolt", "Gear", "Nut"]
    assert names(parts.all(formula="FIND('Bolt', {Supplier names})")) == ["Bolt", "Gear"]


def test_multiple_select_blank_regex_and_url_functions(tables: dict[str, Any]) -> None:
    parts = tables["parts"]
    assert names(parts.all(formula="{Tags} = BLANK()")) == ["Bolt", "Washer"]
    assert names(parts.all(formula="REGEX_MATCH({Part}, '(?i)^g')")) == ["Gear"]
    assert names(parts.all(formula="ENCODE_URL_COMPONENT({Supplier names}) = 'Acme%2BBolt%20Co'")) == ["Gear"]
    assert names(parts.all(formula="IS_AFTER(LAST_MODIFIED_TIME({Part}), '2000-01-01')")) == [
        "Bolt", "Gear", "Nut", "Washer"
    ]  # fmt: skip


def test_scanned_filter_paginates_with_offsets_and_sorts(tables: dict[str, Any]) -> None:
    parts = tables["parts"]
    pages = list(parts.iterate(formula="COUNTALL({Supplier}) > 0", page_size=1, sort=["-Part"]))
    assert [[r["fields"]["Part"] for r in page] for page in pages] == [["Nut"], ["Gear"], ["Bolt"]]
    assert len(parts.all(formula="COUNTALL({Supplier}) > 0", max_records=2)) == 2


def test_scan_out_of_time_is_a_422_saying_so(tables: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.records import store

    monkeypatch.setattr(store, "SCAN_BUDGET_SECONDS", -1.0)
    status, body = refused(tables["parts"], "FIND('Acme', {Supplier})")
    assert status == 422 and body["error"]["type"] == "INVALID_FILTER_BY_FORMULA"
    assert "took longer than" in body["error"]["message"]
    # Formulas that compile to SQL never scan, so the budget does not apply to them.
    assert names(tables["parts"].all(formula="{Part} = 'Nut'")) == ["Nut"]


def test_new_calendar_and_array_functions_filter(tables: dict[str, Any]) -> None:
    parts = tables["parts"]
    assert names(parts.all(formula="WEEKNUM({Due}) = 1")) == ["Bolt", "Gear"]
    assert names(parts.all(formula="WORKDAY_DIFF({Due}, '2024-01-05') = 4")) == ["Gear"]
    assert names(parts.all(formula="IS_SAME(WORKDAY({Due}, 1), '2024-01-04', 'day')")) == ["Bolt"]
    assert names(parts.all(formula="ARRAYJOIN(ARRAYSLICE({Supplier}, 2)) = 'Bolt Co'")) == ["Gear"]
    assert names(parts.all(formula="TIMESTR({Due}) = '00:00:00'")) == ["Bolt", "Gear", "Nut"]
