"""Trash queries on `records` open one table's partition: a restore given the record's table, and the
purge's search for expired records (table by table, in small transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.airtable.uploads import record_table
from pybase.db import session_scope
from pybase.links.models import RecordLink
from pybase.records.models import Record
from pybase.trash import kinds, purge
from pybase.trash import service as trash
from pybase.trash.kinds import RecordTrash
from tests.conftest import Api
from tests.test_trash_purge import trash_records
from tests.test_views_support import World, add_records, add_table, make_world, record_row

_PARTITION_LOCKS = text(
    "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE l.pid = pg_backend_pid() AND c.relkind = 'r' AND c.relname LIKE 'records\\_tbl%'"
)


def _partitions_locked(session: Session) -> set[str]:
    return set(session.scalars(_PARTITION_LOCKS))


def test_a_record_restored_with_its_table_id_opens_only_that_partition(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world()
    others = [add_table(world, f"Other {n}") for n in range(3)]
    rid = add_records(world, [{"Name": "gone"}])[0]
    add_records(world, [{"Name": "elsewhere"}], table_id=others[0])
    trash_records(world.table_id, [rid], days_ago=1)

    with session_scope() as session:
        found = RecordTrash().find(session, rid, table_id=world.table_id)
        assert found is not None and found.id == rid
        assert _partitions_locked(session) == {f"records_{world.table_id}"}
    with session_scope() as session:
        assert RecordTrash().find(session, rid, table_id=others[0]) is None
    # By ID alone it is still found: the tables are searched a group at a time in short transactions
    # of their own, and the request's transaction locks the record's partition only.
    monkeypatch.setattr(kinds, "_TABLES_PER_LOOKUP", 2)
    with session_scope() as session:
        found = RecordTrash().find(session, rid)
        assert found is not None and found.table_id == world.table_id
        assert _partitions_locked(session) == {f"records_{world.table_id}"}
    with session_scope() as session:
        assert RecordTrash().find(session, add_records(world, [{"Name": "live"}])[0]) is None

    editor = world.api(api, "editor")
    wrong = editor.call("tables", "POST", f"/trash/record/{rid}/restore", query={"table_id": others[0]})
    assert wrong.status == 404 and wrong.json()["error"]["code"] == "not_found", wrong.text
    bad = editor.call("tables", "POST", f"/trash/record/{rid}/restore", query={"table_id": "nope"})
    assert bad.status == 404, bad.text
    assert record_row(world.table_id, rid).deleted_at is not None
    r = editor.call("tables", "POST", f"/trash/record/{rid}/restore", query={"table_id": world.table_id})
    assert r.status == 200 and r.json()["record_ids"] == [rid], r.text
    assert record_row(world.table_id, rid).deleted_at is None


def test_the_purge_looks_for_expired_records_table_by_table() -> None:
    world = make_world()
    # More tables than one purge transaction looks at, each with an expired and a recent trashed record.
    tables = [world.table_id] + [add_table(world, f"T{n}") for n in range(purge._TABLES_PER_TRANSACTION + 5)]
    expired, recent = [], []
    for table_id in tables[:: len(tables) // 4]:
        ids = add_records(world, [{"Name": "old"}, {"Name": "new"}, {"Name": "live"}], table_id=table_id)
        trash_records(table_id, [ids[0]], days_ago=40)
        trash_records(table_id, [ids[1]], days_ago=2)
        expired.append((table_id, ids[0]))
        recent.append((table_id, ids[1]))
        recent.append((table_id, ids[2]))

    most_locked = 0

    @contextmanager
    def watched_scope() -> Iterator[Any]:
        nonlocal most_locked
        with session_scope() as session:
            yield session
            most_locked = max(most_locked, len(_partitions_locked(session)))

    result = purge.PurgeResult()
    purge.purge_records(
        cutoff=purge.retention_cutoff(),
        batch_size=1,
        deadline=purge._Deadline(None),
        result=result,
        scope=watched_scope,
    )
    assert result.complete and result.records >= len(expired)
    assert all(record_row(t, r) is None for t, r in expired)
    assert all(record_row(t, r) is not None for t, r in recent)
    assert 0 < most_locked <= purge._TABLES_PER_TRANSACTION
    with session_scope() as session:
        assert session.query(Record).filter(Record.table_id == world.table_id).count() == 2


def _crowded_world() -> tuple[World, list[str]]:
    """A base's table beside tables of another base, each with a record (each partition has rows)."""
    world, elsewhere = make_world(), make_world()
    others = [elsewhere.table_id] + [add_table(elsewhere, f"Other {n}") for n in range(3)]
    for table_id in others:
        add_records(elsewhere, [{"Name": "elsewhere"}], table_id=table_id)
    return world, others


def test_a_restore_through_the_service_opens_its_table_and_the_linking_tables_only() -> None:
    world, _ = _crowded_world()
    linking = add_table(world, "Orders")
    rid = add_records(world, [{"Name": "gone"}])[0]
    (order,) = add_records(world, [{"Name": "order"}], table_id=linking)
    with session_scope() as session:
        session.add(
            RecordLink(
                field_id=world.fields["Name"], from_record_id=order, to_record_id=rid,
                from_table_id=linking, to_table_id=world.table_id,
            )
        )  # fmt: skip
    trash_records(world.table_id, [rid], days_ago=1)
    with session_scope() as session:
        answer = trash.restore(
            session, principal=Principal(world.users["editor"]), kind="record", object_id=rid, table_id=world.table_id
        )
        assert answer["record_ids"] == [rid]
        # The links pointing at the record are looked at in their own table's partition, no other.
        assert _partitions_locked(session) == {f"records_{world.table_id}", f"records_{linking}"}
    assert record_row(world.table_id, rid).deleted_at is None


def test_an_upload_finds_its_record_in_the_base_tables_partitions_only() -> None:
    world, others = _crowded_world()
    second = add_table(world, "Second")
    rid = add_records(world, [{"Name": "here"}], table_id=second)[0]
    with session_scope() as session:
        assert record_table(session, base_id=world.base_id, record_id=rid) == second
        assert _partitions_locked(session) <= {f"records_{world.table_id}", f"records_{second}"}
    # A record of another base is not found through this one.
    elsewhere = add_records(world, [{"Name": "x"}], table_id=others[1])[0]
    with session_scope() as session:
        assert record_table(session, base_id=world.base_id, record_id=elsewhere) is None
