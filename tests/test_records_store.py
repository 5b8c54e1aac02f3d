"""The record store (pybase.records.store): the one place that reads and writes `records` rows for
the native API, /v0 and what is built on them. Pages by keyset, counts, fetches in a given order,
and updates only a row still at the version that was read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pybase.db import session_scope
from pybase.fields.types.base import Params
from pybase.records import service as records
from pybase.records import store
from pybase.records.query import FieldSet, compile_filter, compile_sorts, decode_cursor
from tests.factories import World, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(("owner",))


def _listing(s, table_id: str, node=None) -> store.Listing:
    fields = FieldSet(records.live_fields(s, table_id=table_id))
    params, conditions = Params(), []
    where = compile_filter(node, fields, params, conditions) if node else "TRUE"
    return store.Listing(table_id, where, params, compile_sorts([], fields), conditions)


def test_pages_counts_and_fetches(world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    names = ["bracket one", "bracket two", "shaft", "bracket three", "plate"]
    with session_scope() as s:
        made = records.create_records(
            s, principal=world.owner.principal, table_id=t.id,
            records=[{"fields": {t.primary_field_id: n}} for n in names],
        )  # fmt: skip
    ids = [r["id"] for r in made]
    with session_scope() as s:
        listing = _listing(s, t.id)
        first = store.list_page(s, listing, limit=2)
        assert [r.id for r in store.rows_of(first)] == ids[:2]
        after = decode_cursor(store.next_cursor(listing, first[-1]), listing.keys)
        assert [r.id for r in store.rows_of(store.list_page(s, listing, after=after, limit=10))] == ids[2:]
        assert [r.id for r in store.rows_of(store.list_page(s, listing, limit=10, offset=4))] == ids[4:]
        assert store.count(s, listing) == 5
        # A contains filter common in the table's first rows (planner steering) answers the same rows.
        common = _listing(s, t.id, {"field": t.primary_field_id, "op": "contains", "value": "bracket"})
        assert [r.id for r in store.rows_of(store.list_page(s, common, limit=10))] == [ids[0], ids[1], ids[3]]
        assert store.count(s, common) == 3
        assert [r.id for r in store.fetch_in_order(s, t.id, [ids[3], "recNOSUCHRECORD0", ids[0]])] == [ids[3], ids[0]]


def test_update_only_at_the_version_read(world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    with session_scope() as s:
        made = records.create_records(
            s, principal=world.owner.principal, table_id=t.id, records=[{"fields": {t.primary_field_id: "a"}}]
        )
    record_id = made[0]["id"]
    now = datetime.now(UTC)
    with session_scope() as s:
        row = store.fetch(s, t.id, [record_id], lock=True)[record_id]
        row.data = {t.primary_field_id: "b"}
        store.update(s, t.id, world.owner.id, now, [row])
    with session_scope() as s:
        row = store.fetch(s, t.id, [record_id])[record_id]
        assert row.data == {t.primary_field_id: "b"} and row.version == 2
        row.data = {t.primary_field_id: "c"}  # as if read at version 1: someone else wrote since
        kwargs = dict(table_id=t.id, workspace_id=world.workspace_id, base_id=world.base_id, actor_id=world.owner.id)
        changes = {t.primary_field_id: {"from": "a", "to": "c"}}
        assert store.update_one_if_unchanged(s, row=row, changes=changes, payload={}, now=now, **kwargs) is None
        row.version = 3  # read at version 2, advanced by one
        assert store.update_one_if_unchanged(s, row=row, changes=changes, payload={}, now=now, **kwargs) is not None
    with session_scope() as s:
        row = store.fetch(s, t.id, [record_id])[record_id]
        assert row.data == {t.primary_field_id: "c"} and row.version == 3
