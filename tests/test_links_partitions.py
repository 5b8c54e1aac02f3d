"""Link reads open the linked table's partition of `records` only: a cell's current links, a page's links."""

from __future__ import annotations

from pybase.db import session_scope
from pybase.links.models import RecordLink
from pybase.links.service import current_links
from pybase.records import service
from tests.conftest import Api
from tests.test_links_api import create, field
from tests.test_records_helpers import make_table
from tests.test_records_helpers import make_world as make_records_world
from tests.test_trash_partitions import _partitions_locked
from tests.test_views_support import add_records, add_table, make_world


def test_current_links_open_the_linked_table_partition_only() -> None:
    world = make_world()
    suppliers = add_table(world, "Suppliers")
    for n in range(3):  # other tables with records: their partitions must stay closed
        add_records(world, [{"Name": "x"}], table_id=add_table(world, f"Other {n}"))
    (part,) = add_records(world, [{"Name": "gear"}])
    acme, bolt = add_records(world, [{"Name": "Acme"}, {"Name": "Bolt"}], table_id=suppliers)
    with session_scope() as session:
        for position, to_id in enumerate((bolt, acme)):
            session.add(
                RecordLink(
                    field_id=world.fields["Name"], from_record_id=part, to_record_id=to_id,
                    from_table_id=world.table_id, to_table_id=suppliers, position=position,
                )
            )  # fmt: skip
    with session_scope() as session:
        links = current_links(session, field_id=world.fields["Name"], to_table_id=suppliers, record_ids=[part])
        assert links == {part: [bolt, acme]}
        assert _partitions_locked(session) == {f"records_{suppliers}"}


def test_a_page_with_a_link_field_opens_its_table_and_the_linked_table_partitions_only() -> None:
    api, world = Api(), make_records_world(roles=("owner",))
    token = world.owner.token
    parts, suppliers = make_table(world.base_id, name="Parts"), make_table(world.base_id, name="Suppliers")
    for n in range(3):  # other tables of the base with records: their partitions must stay closed
        other = make_table(world.base_id, name=f"Other {n}")
        create(api, token, other.id, {"Name": "x"})
    link = field(api, token, parts.id, "Suppliers", "link", linked_table_id=suppliers.id)
    (acme,) = create(api, token, suppliers.id, {"Name": "Acme"})
    create(api, token, parts.id, {"Name": "Gear", link["id"]: [acme["id"]]})
    with session_scope() as session:
        page = service.list_records(session, principal=world.owner.principal, table_id=parts.id)
        assert [r["fields"][link["id"]] for r in page["records"]] == [[{"id": acme["id"], "name": "Acme"}]]
        assert _partitions_locked(session) == {f"records_{parts.id}", f"records_{suppliers.id}"}


def test_filters_and_sorts_through_links_open_the_linked_table_partition_only() -> None:
    """A filter or sort on a link, lookup, rollup or count reads the linked records from the linked
    table's partition: a join on the link row's table ID would plan and lock every table's."""
    api, world = Api(), make_records_world(roles=("owner",))
    token = world.owner.token
    parts, suppliers = make_table(world.base_id, name="Parts"), make_table(world.base_id, name="Suppliers")
    for n in range(3):
        create(api, token, make_table(world.base_id, name=f"Other {n}").id, {"Name": "x"})
    link = field(api, token, parts.id, "Suppliers", "link", linked_table_id=suppliers.id)
    lookup = field(api, token, parts.id, "Supplier names", "lookup", link_field_id=link["id"],
                   field_id=suppliers.primary_field_id)  # fmt: skip
    rollup = field(api, token, parts.id, "Supplier list", "rollup", link_field_id=link["id"],
                   field_id=suppliers.primary_field_id, formula="ARRAYJOIN(values)")  # fmt: skip
    count = field(api, token, parts.id, "Supplier count", "count", link_field_id=link["id"])
    (acme,) = create(api, token, suppliers.id, {"Name": "Acme"})
    gear, _nut = create(api, token, parts.id, {"Name": "Gear", link["id"]: [acme["id"]]}, {"Name": "Nut"})
    queries = [
        {"filter": {"field": link["id"], "op": "contains", "value": "Acme"}},
        {"filter": {"field": link["id"], "op": "is_not_empty"}, "sort": [{"field": link["id"]}]},
        {"filter": {"field": lookup["id"], "op": "contains", "value": "Ac"}, "sort": [{"field": lookup["id"]}]},
        {"filter": {"field": rollup["id"], "op": "is_not_empty"}},
        {"filter": {"field": count["id"], "op": ">", "value": 0}, "sort": [{"field": count["id"]}]},
    ]
    for query in queries:
        with session_scope() as session:
            page = service.list_records(session, principal=world.owner.principal, table_id=parts.id, **query)
            assert [r["id"] for r in page["records"]] == [gear["id"]], query
            assert _partitions_locked(session) == {f"records_{parts.id}", f"records_{suppliers.id}"}, query
