"""Linked records, lookups, rollups, counts and formulas through the Airtable-compatible API, created
and read with pyairtable: link cells are lists of record IDs both ways, computed fields show in
list/get/write responses and in the schema with Airtable's type names."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.airtable_transport import pyairtable_api
from tests.factories import World, make_api_token, make_base, make_world

pytestmark = pytest.mark.usefixtures("no_airtable_rate_limit")


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(roles=("owner",))


@pytest.fixture
def tables(world: World) -> dict[str, Any]:
    api = pyairtable_api(make_api_token(world.owner, scope="admin"))
    base = api.base(make_base(world.workspace_id, by=world.owner))
    suppliers = base.create_table(
        "Suppliers", [{"name": "Supplier", "type": "singleLineText"}, {"name": "Score", "type": "number",
                                                                      "options": {"precision": 0}}]
    )  # fmt: skip
    parts = base.create_table(
        "Parts",
        [{"name": "Part", "type": "singleLineText"}, {"name": "Qty", "type": "number", "options": {"precision": 0}}],
    )
    link = parts.create_field("Suppliers", "multipleRecordLinks", options={"linkedTableId": suppliers.id})
    score = suppliers.schema(force=True).field("Score")
    parts.create_field("Scores", "multipleLookupValues",
                       options={"recordLinkFieldId": link.id, "fieldIdInLinkedTable": score.id})  # fmt: skip
    parts.create_field("Best score", "rollup", options={"recordLinkFieldId": link.id,
                       "fieldIdInLinkedTable": score.id, "function": "MAX"})  # fmt: skip
    parts.create_field("Supplier count", "count", options={"recordLinkFieldId": link.id})
    parts.create_field("Double", "formula", options={"formula": "{Qty} * 2"})
    return {"api": api, "base": base, "suppliers": suppliers, "parts": parts, "link": link}


def test_link_cells_are_record_id_lists_and_computed_fields_show(tables: dict[str, Any]) -> None:
    suppliers, parts = tables["suppliers"], tables["parts"]
    acme, bolt_co = suppliers.batch_create([{"Supplier": "Acme", "Score": 7}, {"Supplier": "Bolt Co", "Score": 9}])
    gear = parts.create({"Part": "Gear", "Qty": 3, "Suppliers": [acme["id"], bolt_co["id"]]})
    assert gear["fields"]["Suppliers"] == [acme["id"], bolt_co["id"]]
    assert gear["fields"]["Scores"] == [7, 9]
    assert gear["fields"]["Best score"] == 9 and gear["fields"]["Supplier count"] == 2
    assert gear["fields"]["Double"] == 6
    nut = parts.create({"Part": "Nut", "Qty": 10})
    assert "Suppliers" not in nut["fields"] and nut["fields"]["Supplier count"] == 0
    # The inverse link shows on the other side, as record IDs.
    inverse = suppliers.get(acme["id"])["fields"]
    assert inverse["Parts"] == [gear["id"]]
    # Updating links through PATCH, then listing with a filter on the formula and the rollup.
    parts.update(nut["id"], {"Suppliers": [acme["id"]]})
    rows = parts.all(formula="AND({Double} >= 6, {Best score} > 8)")
    assert [r["fields"]["Part"] for r in rows] == ["Gear"]
    rows = parts.all(sort=["-Double"], fields=["Part", "Suppliers"])
    assert [(r["fields"]["Part"], r["fields"]["Suppliers"]) for r in rows] == [
        ("Nut", [acme["id"]]),
        ("Gear", [acme["id"], bolt_co["id"]]),
    ]
    # Deleting a linked record removes it from the cells pointing at it.
    suppliers.delete(acme["id"])
    assert parts.get(gear["id"])["fields"]["Suppliers"] == [bolt_co["id"]]
    assert "Suppliers" not in parts.get(nut["id"])["fields"]


def test_bad_links_are_rejected_and_write_nothing(tables: dict[str, Any]) -> None:
    parts = tables["parts"]
    batch = [{"Part": f"P{i}"} for i in range(9)] + [{"Part": "bad", "Suppliers": ["recAAAAAAAAAAAAAA"]}]
    with pytest.raises(requests.HTTPError) as exc:
        parts.batch_create(batch)
    assert exc.value.response.status_code == 422
    assert exc.value.response.json()["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"
    assert parts.all() == []
    with pytest.raises(requests.HTTPError) as exc:
        parts.create({"Part": "x", "Double": 3})
    assert exc.value.response.json()["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"


def test_schema_of_relational_and_formula_fields(tables: dict[str, Any]) -> None:
    schema = tables["base"].schema(force=True)
    parts = schema.table("Parts")
    suppliers = schema.table("Suppliers")
    types = {f.name: f.type for f in parts.fields}
    assert types == {
        "Part": "singleLineText", "Qty": "number", "Suppliers": "multipleRecordLinks",
        "Scores": "multipleLookupValues", "Best score": "rollup", "Supplier count": "count", "Double": "formula",
    }  # fmt: skip
    link = parts.field("Suppliers")
    inverse = suppliers.field("Parts")
    assert link.options.linked_table_id == suppliers.id and link.options.inverse_link_field_id == inverse.id
    assert inverse.type == "multipleRecordLinks" and inverse.options.linked_table_id == parts.id
    lookup = parts.field("Scores")
    assert lookup.options.record_link_field_id == link.id
    assert lookup.options.field_id_in_linked_table == suppliers.field("Score").id
    formula = parts.field("Double")
    assert formula.options.formula == "{Qty} * 2"
    assert formula.options.referenced_field_ids == [parts.field("Qty").id]
    assert parts.field("Supplier count").options.record_link_field_id == link.id


def test_typecast_links_primary_text_and_creates_missing(tables: dict[str, Any]) -> None:
    suppliers, parts = tables["suppliers"], tables["parts"]
    acme = suppliers.create({"Supplier": "Acme", "Score": 7})
    with pytest.raises(requests.HTTPError) as exc:  # without typecast, text is not a record ID
        parts.create({"Part": "Gear", "Suppliers": ["Acme"]})
    assert exc.value.response.status_code == 422
    gear = parts.create({"Part": "Gear", "Suppliers": ["Acme", "Zenith"]}, typecast=True)
    linked = gear["fields"]["Suppliers"]
    assert linked[0] == acme["id"] and len(linked) == 2
    zenith = suppliers.get(linked[1])
    assert zenith["fields"]["Supplier"] == "Zenith"
    assert sorted(r["fields"]["Supplier"] for r in suppliers.all()) == ["Acme", "Zenith"]
    # One text, PATCH, and the created record is found (not created again) the next time.
    bolt = parts.update(gear["id"], {"Suppliers": "Zenith"}, typecast=True)
    assert bolt["fields"]["Suppliers"] == [zenith["id"]]
    assert len(suppliers.all()) == 2
    # A batch that fails writes nothing, not even the linked records typecast created.
    with pytest.raises(requests.HTTPError):
        parts.batch_create([{"Part": "A", "Suppliers": ["Newco"]}, {"Part": "B", "Qty": "many"}], typecast=True)
    assert len(suppliers.all()) == 2
