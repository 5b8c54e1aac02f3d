"""Link fields through the fields and records APIs: both directions, inverse sync, single-record
limit, cross-table and cross-base rules, deletion and restore, bad input without partial writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from tests.conftest import Api
from tests.test_records_helpers import RecordsWorld, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> RecordsWorld:
    return make_world(roles=("owner", "editor", "viewer"))


def field(api: Api, token: str, table_id: str, name: str, type: str, **options: Any) -> dict[str, Any]:
    r = api.as_user(token).call(
        "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type, "options": options}
    )
    assert r.status == 201, r.text
    return r.json()


def create(api: Api, token: str, table_id: str, *rows: dict[str, Any]) -> list[dict[str, Any]]:
    r = api.as_user(token).call(
        "records", "POST", f"/tables/{table_id}/records", body={"records": [{"fields": f} for f in rows]}
    )
    assert r.status == 201, r.text
    return r.json()["records"]


def get(api: Api, token: str, table_id: str, record_id: str) -> dict[str, Any]:
    r = api.as_user(token).call("records", "GET", f"/tables/{table_id}/records/{record_id}")
    assert r.status == 200, r.text
    return r.json()


def patch(api: Api, token: str, table_id: str, record_id: str, fields: dict[str, Any]) -> Any:
    return api.as_user(token).call(
        "records", "PATCH", f"/tables/{table_id}/records/{record_id}", body={"fields": fields}
    )


def ids(cell: Any) -> list[str]:
    return [item["id"] for item in cell or []]


@pytest.fixture(scope="module")
def pair(world: RecordsWorld) -> dict[str, Any]:
    """Parts <-> Suppliers with an inverse field created automatically."""
    api, owner = Api(), world.owner.token
    parts, suppliers = make_table(world.base_id, name="Parts"), make_table(world.base_id, name="Suppliers")
    link = field(api, owner, parts.id, "Suppliers", "link", linked_table_id=suppliers.id)
    inverse_id = link["options"]["inverse_field_id"]
    assert inverse_id and inverse_id.startswith("fld")
    return {"parts": parts, "suppliers": suppliers, "link": link["id"], "inverse": inverse_id}


def test_inverse_field_is_created_in_the_linked_table(api: Api, world: RecordsWorld, pair: dict[str, Any]) -> None:
    r = api.as_user(world.owner.token).call("tables", "GET", f"/fields/{pair['inverse']}")
    assert r.status == 200, r.text
    inverse = r.json()
    assert inverse["table_id"] == pair["suppliers"].id
    assert inverse["type"] == "link" and inverse["name"] == "Parts"
    assert inverse["options"]["linked_table_id"] == pair["parts"].id
    assert inverse["options"]["inverse_field_id"] == pair["link"]


def test_links_both_ways_with_inverse_sync_and_order(api: Api, world: RecordsWorld, pair: dict[str, Any]) -> None:
    ed = world.users["editor"].token
    p, s = pair["parts"], pair["suppliers"]
    acme, bolt, cogs = create(api, ed, s.id, {"Name": "Acme"}, {"Name": "Bolt Co"}, {"Name": "Cogs"})
    (part,) = create(api, ed, p.id, {"Name": "Gear", pair["link"]: [cogs["id"], acme["id"]]})
    # Read shape: [{id, name}] in the order written, name = the linked record's primary value.
    assert part["fields"][pair["link"]] == [{"id": cogs["id"], "name": "Cogs"}, {"id": acme["id"], "name": "Acme"}]
    assert get(api, ed, s.id, acme["id"])["fields"][pair["inverse"]] == [{"id": part["id"], "name": "Gear"}]
    # Replace the cell: Acme is unlinked on both sides, Bolt linked on both sides.
    r = patch(api, ed, p.id, part["id"], {"Suppliers": [{"id": bolt["id"]}, cogs["id"]]})
    assert r.status == 200, r.text
    assert ids(r.json()["fields"][pair["link"]]) == [bolt["id"], cogs["id"]]
    assert pair["inverse"] not in get(api, ed, s.id, acme["id"])["fields"]
    assert ids(get(api, ed, s.id, bolt["id"])["fields"][pair["inverse"]]) == [part["id"]]
    # Writing from the other side updates this side.
    (other,) = create(api, ed, p.id, {"Name": "Shaft"})
    r = patch(api, ed, s.id, cogs["id"], {pair["inverse"]: [part["id"], other["id"]]})
    assert r.status == 200, r.text
    assert ids(get(api, ed, p.id, other["id"])["fields"][pair["link"]]) == [cogs["id"]]
    # History of the edited record shows the link change.
    r = api.as_user(ed).call("records", "GET", f"/tables/{p.id}/records/{part['id']}/history")
    change = r.json()["entries"][0]["changes"][pair["link"]]
    assert change["from"] == [cogs["id"], acme["id"]] and change["to"] == [bolt["id"], cogs["id"]]
    # Clearing with null / [] removes both sides.
    assert patch(api, ed, p.id, part["id"], {pair["link"]: None}).status == 200
    assert pair["link"] not in get(api, ed, p.id, part["id"])["fields"]
    assert ids(get(api, ed, s.id, cogs["id"])["fields"][pair["inverse"]]) == [other["id"]]


def test_list_shows_links_and_put_clears_them(api: Api, world: RecordsWorld, pair: dict[str, Any]) -> None:
    ed = world.users["editor"].token
    p, s = pair["parts"], pair["suppliers"]
    (sup,) = create(api, ed, s.id, {"Name": "Listed"})
    (part,) = create(api, ed, p.id, {"Name": "Listed part", pair["link"]: [sup["id"]]})
    r = api.as_user(ed).call("records", "GET", f"/tables/{p.id}/records", query={"page_size": "100"})
    found = {rec["id"]: rec for rec in r.json()["records"]}
    assert found[part["id"]]["fields"][pair["link"]] == [{"id": sup["id"], "name": "Listed"}]
    r = api.as_user(ed).call("records", "PUT", f"/tables/{p.id}/records/{part['id']}", body={"fields": {"Name": "x"}})
    assert r.status == 200, r.text
    assert pair["link"] not in r.json()["fields"]
    assert pair["inverse"] not in get(api, ed, s.id, sup["id"])["fields"]


def test_bad_links_are_422_and_write_nothing(api: Api, world: RecordsWorld, pair: dict[str, Any]) -> None:
    ed = world.users["editor"].token
    p, s = pair["parts"], pair["suppliers"]
    (sup,) = create(api, ed, s.id, {"Name": "Real"})
    (own_part,) = create(api, ed, p.id, {"Name": "Not a supplier"})
    before = api.as_user(ed).call("records", "GET", f"/tables/{p.id}/records", query={"page_size": "1000"})
    count_before = len(before.json()["records"])
    for bad in (["recAAAAAAAAAAAAAA"], [own_part["id"]], "nonsense", [{"name": "x"}], [3]):
        r = api.as_user(ed).call(
            "records",
            "POST",
            f"/tables/{p.id}/records",
            body={"records": [{"fields": {"Name": "ok", pair["link"]: [sup["id"]]}}, {"fields": {pair["link"]: bad}}]},
        )
        assert r.status == 422, (bad, r.text)
        assert r.json()["error"]["code"]
    after = api.as_user(ed).call("records", "GET", f"/tables/{p.id}/records", query={"page_size": "1000"})
    assert len(after.json()["records"]) == count_before
    assert pair["inverse"] not in get(api, ed, s.id, sup["id"])["fields"]
    # A viewer cannot write links.
    r = patch(api, world.users["viewer"].token, p.id, own_part["id"], {pair["link"]: [sup["id"]]})
    assert r.status == 403


def test_single_record_limit(api: Api, world: RecordsWorld) -> None:
    api_, owner, ed = Api(), world.owner.token, world.users["editor"].token
    orders, customers = make_table(world.base_id, name="Orders"), make_table(world.base_id, name="Customers")
    link = field(api_, owner, orders.id, "Customer", "link", linked_table_id=customers.id, single=True)
    assert link["options"]["single"] is True
    c1, c2 = create(api, ed, customers.id, {"Name": "Ann"}, {"Name": "Bob"})
    r = api.as_user(ed).call(
        "records", "POST", f"/tables/{orders.id}/records", body={"fields": {link["id"]: [c1["id"], c2["id"]]}}
    )
    assert r.status == 422, r.text
    (order,) = create(api, ed, orders.id, {"Name": "O-1", link["id"]: c1["id"]})
    assert ids(order["fields"][link["id"]]) == [c1["id"]]
    # The inverse side (many) can hold several orders; linking an order already linked elsewhere is refused.
    inverse = link["options"]["inverse_field_id"]
    (order2,) = create(api, ed, orders.id, {"Name": "O-2"})
    r = patch(api, ed, customers.id, c1["id"], {inverse: [order["id"], order2["id"]]})
    assert r.status == 200, r.text
    r = patch(api, ed, customers.id, c2["id"], {inverse: [order["id"]]})
    assert r.status == 422, r.text
    assert ids(get(api, ed, orders.id, order["id"])["fields"][link["id"]]) == [c1["id"]]


def test_one_way_link_in_the_same_table(api: Api, world: RecordsWorld) -> None:
    owner, ed = world.owner.token, world.users["editor"].token
    tasks = make_table(world.base_id, name="Tasks")
    link = field(api, owner, tasks.id, "Blocked by", "link", linked_table_id=tasks.id, create_inverse=False)
    assert link["options"]["inverse_field_id"] is None
    a, b = create(api, ed, tasks.id, {"Name": "A"}, {"Name": "B"})
    r = patch(api, ed, tasks.id, b["id"], {"Blocked by": [a["id"]]})
    assert r.status == 200 and ids(r.json()["fields"][link["id"]]) == [a["id"]]
    assert link["id"] not in get(api, ed, tasks.id, a["id"])["fields"]
    # Self-link with an inverse on the same table.
    link2 = field(api, owner, tasks.id, "Parent", "link", linked_table_id=tasks.id, inverse_name="Children")
    r = patch(api, ed, tasks.id, b["id"], {"Parent": [a["id"]]})
    assert r.status == 200, r.text
    assert ids(get(api, ed, tasks.id, a["id"])["fields"][link2["options"]["inverse_field_id"]]) == [b["id"]]


def test_link_options_are_checked(api: Api, world: RecordsWorld) -> None:
    from tests.factories import make_base, make_workspace

    owner = world.owner.token
    t = make_table(world.base_id, name="Options")
    other_base = make_base(world.workspace_id, name="Other base", by=world.owner)
    elsewhere = make_table(other_base, name="Elsewhere")
    foreign = make_table(make_base(make_workspace(world.outsider), by=world.outsider), name="Foreign")
    for options in (
        {"linked_table_id": elsewhere.id},
        {"linked_table_id": foreign.id},
        {"linked_table_id": "tblAAAAAAAAAAAAAA"},
        {"linked_table_id": "nope"},
        {},
    ):
        r = api.as_user(owner).call(
            "tables", "POST", f"/tables/{t.id}/fields", body={"name": "L", "type": "link", "options": options}
        )
        assert r.status in (400, 422), (options, r.text)
        assert "error" in r.json()
    r = api.as_user(owner).call("tables", "GET", f"/tables/{elsewhere.id}/fields")
    assert [f["name"] for f in r.json()["fields"]] == ["Name"]  # no inverse field left behind


def test_deleting_a_record_removes_it_from_links_and_restore_brings_it_back(
    api: Api, world: RecordsWorld, pair: dict[str, Any]
) -> None:
    ed = world.users["editor"].token
    p, s = pair["parts"], pair["suppliers"]
    s1, s2 = create(api, ed, s.id, {"Name": "Keep"}, {"Name": "Gone"})
    (part,) = create(api, ed, p.id, {"Name": "Linked", pair["link"]: [s1["id"], s2["id"]]})
    r = api.as_user(ed).call("records", "DELETE", f"/tables/{s.id}/records/{s2['id']}")
    assert r.status == 200, r.text
    assert ids(get(api, ed, p.id, part["id"])["fields"][pair["link"]]) == [s1["id"]]
    with session_scope() as session:  # the linking table hears that its link cells changed
        payloads = session.scalars(
            select(ChangeEvent.payload).where(ChangeEvent.table_id == p.id, ChangeEvent.type == "records.updated")
        ).all()
    assert any(pl.get("reason") == "links" and part["id"] in pl["record_ids"] for pl in payloads)
    r = api.as_user(ed).call(
        "records",
        "GET",
        f"/tables/{p.id}/records",
        query={"filter": json.dumps({"field": pair["link"], "op": "has_any_of", "value": [s2["id"]]})},
    )
    assert r.status == 200 and r.json()["records"] == [], r.text
    # Restore through the trash: the link is back in its place on both sides.
    r = api.as_user(ed).call("tables", "POST", f"/trash/record/{s2['id']}/restore")
    assert r.status == 200, r.text
    assert ids(get(api, ed, p.id, part["id"])["fields"][pair["link"]]) == [s1["id"], s2["id"]]
    assert ids(get(api, ed, s.id, s2["id"])["fields"][pair["inverse"]]) == [part["id"]]
    # Deleting the record that holds the links hides them from the other side too.
    assert api.as_user(ed).call("records", "DELETE", f"/tables/{p.id}/records/{part['id']}").status == 200
    assert pair["inverse"] not in get(api, ed, s.id, s1["id"])["fields"]
    assert api.as_user(ed).call("tables", "POST", f"/trash/record/{part['id']}/restore").status == 200
    assert ids(get(api, ed, s.id, s1["id"])["fields"][pair["inverse"]]) == [part["id"]]


def test_restore_keeps_a_single_record_cell_single(api: Api, world: RecordsWorld) -> None:
    owner, ed = world.owner.token, world.users["editor"].token
    a, b = make_table(world.base_id, name="Holders"), make_table(world.base_id, name="Held")
    link = field(api, owner, a.id, "Held", "link", linked_table_id=b.id, single=True)
    old, new = create(api, ed, b.id, {"Name": "old"}, {"Name": "new"})
    (holder,) = create(api, ed, a.id, {"Name": "h", link["id"]: [old["id"]]})
    assert api.as_user(ed).call("records", "DELETE", f"/tables/{b.id}/records/{old['id']}").status == 200
    assert patch(api, ed, a.id, holder["id"], {link["id"]: [new["id"]]}).status == 200
    assert api.as_user(ed).call("tables", "POST", f"/trash/record/{old['id']}/restore").status == 200
    assert ids(get(api, ed, a.id, holder["id"])["fields"][link["id"]]) == [new["id"]]
    assert link["options"]["inverse_field_id"] not in get(api, ed, b.id, old["id"])["fields"]


def test_deleting_a_link_field_takes_its_inverse_and_restores_both(api: Api, world: RecordsWorld) -> None:
    owner, ed = world.owner.token, world.users["editor"].token
    a, b = make_table(world.base_id, name="Left"), make_table(world.base_id, name="Right")
    link = field(api, owner, a.id, "Right", "link", linked_table_id=b.id)
    inverse = link["options"]["inverse_field_id"]
    (rb,) = create(api, ed, b.id, {"Name": "rb"})
    (ra,) = create(api, ed, a.id, {"Name": "ra", link["id"]: [rb["id"]]})
    assert api.as_user(owner).call("tables", "DELETE", f"/fields/{link['id']}").status == 200
    assert api.as_user(owner).call("tables", "GET", f"/fields/{inverse}").status == 404
    with session_scope() as session:
        types = session.scalars(select(ChangeEvent.type).where(ChangeEvent.table_id == b.id)).all()
    assert "field.deleted" in types
    assert api.as_user(owner).call("tables", "POST", f"/trash/field/{link['id']}/restore").status == 200
    assert api.as_user(owner).call("tables", "GET", f"/fields/{inverse}").status == 200
    assert ids(get(api, ed, b.id, rb["id"])["fields"][inverse]) == [ra["id"]]


def test_kanban_listing_has_groups(api: Api, world: RecordsWorld) -> None:
    """The records listing applies a view's query spec and labels a grouped (kanban) page."""
    owner, ed = world.owner.token, world.users["editor"].token
    t = make_table(world.base_id, name="Board")
    status = field(api, owner, t.id, "Status", "single_select", choices=["Todo", "Done"])["id"]
    a, b, c = create(api, ed, t.id, {"Name": "a", "Status": "Done"}, {"Name": "b", "Status": "Todo"}, {"Name": "c"})
    r = api.as_user(ed).call(
        "tables", "POST", f"/tables/{t.id}/views",
        body={"name": "Board", "type": "kanban", "config": {"stack_field_id": status}},
    )  # fmt: skip
    assert r.status == 201, r.text
    r = api.as_user(ed).call("records", "GET", f"/tables/{t.id}/records", query={"view": r.json()["id"]})
    assert r.status == 200, r.text
    groups = r.json()["groups"]
    assert [g["field_id"] for g in groups] == [status] * len(groups)
    assert sorted(rid for g in groups for rid in g["record_ids"]) == sorted([a["id"], b["id"], c["id"]])
    assert {tuple(g["record_ids"]) for g in groups} == {(a["id"],), (b["id"],), (c["id"],)}


def test_native_writes_with_typecast_link_by_primary_text(api: Api, world: RecordsWorld) -> None:
    """typecast on the native records API, as on /v0: text in a link cell (a paste from a spreadsheet)
    links the records whose primary field has that text and creates one for a text no record has; the
    batch PATCH, the single PATCH and the batch POST do it; without typecast text is refused."""
    owner, ed = world.owner.token, world.users["editor"].token
    orders, parts = make_table(world.base_id, name="Orders"), make_table(world.base_id, name="Catalog")
    link = field(api, owner, orders.id, "Items", "link", linked_table_id=parts.id)["id"]
    bolt, nut = create(api, ed, parts.id, {"Name": "Bolt M8"}, {"Name": "Nut M8"})
    (order,) = create(api, ed, orders.id, {"Name": "Order 1"})
    editor = api.as_user(ed)

    refused = editor.call(
        "records", "PATCH", f"/tables/{orders.id}/records",
        body={"records": [{"id": order["id"], "fields": {link: ["Bolt M8"]}}]},
    )  # fmt: skip
    assert refused.status == 422, refused.text

    r = editor.call(
        "records", "PATCH", f"/tables/{orders.id}/records",
        body={"typecast": True, "records": [{"id": order["id"], "fields": {link: ["Bolt M8", "Washer 8"]}}]},
    )  # fmt: skip
    assert r.status == 200, r.text
    linked = r.json()["records"][0]["fields"][link]
    assert linked[0]["id"] == bolt["id"] and [item["name"] for item in linked] == ["Bolt M8", "Washer 8"]
    washer = linked[1]["id"]
    # The single-record PATCH and the batch POST resolve text too (the new record is found, not made again).
    r = editor.call(
        "records", "PATCH", f"/tables/{orders.id}/records/{order['id']}",
        body={"typecast": True, "fields": {link: ["Nut M8", "Washer 8"]}},
    )  # fmt: skip
    assert r.status == 200, r.text
    assert ids(r.json()["fields"][link]) == [nut["id"], washer]
    r = editor.call(
        "records", "POST", f"/tables/{orders.id}/records",
        body={"typecast": True, "records": [{"fields": {link: ["Washer 8"]}}]},
    )  # fmt: skip
    assert r.status == 201, r.text
    assert ids(r.json()["records"][0]["fields"][link]) == [washer]
    listed = editor.call("records", "GET", f"/tables/{parts.id}/records", query={"field_key": "name"})
    assert sorted(rec["fields"]["Name"] for rec in listed.json()["records"]) == ["Bolt M8", "Nut M8", "Washer 8"]
