"""A link cell's current links are read from the linked table's partition of `records` only."""

from __future__ import annotations

from pybase.db import session_scope
from pybase.links.models import RecordLink
from pybase.links.service import current_links
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
