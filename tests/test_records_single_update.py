"""update_record reads the record without a lock and writes it (with its history row and change
event) only if its version is unchanged; a write that lands in between makes it redo the update
under a row lock. These tests put a committed write from another transaction exactly there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from pybase.db import session_scope
from pybase.errors import Forbidden, NotFound, PreconditionFailed
from pybase.fields import service as fields
from pybase.records import service as records
from tests.factories import World, make_table, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(("owner", "editor", "viewer"))


@pytest.fixture
def table(world: World) -> dict[str, str]:
    t = make_table(world.base_id, by=world.owner)
    with session_scope() as s:
        p = world.owner.principal
        qty = fields.create_field(s, principal=p, table_id=t.id, name="Qty", type="number", options={})["id"]
        tag = fields.create_field(
            s, principal=p, table_id=t.id, name="Tag", type="single_select", options={"choices": ["a"]}
        )["id"]
    return {"id": t.id, "name": t.primary_field_id, "qty": qty, "tag": tag}


def _create(world: World, table: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    with session_scope() as s:
        return records.create_records(s, principal=world.owner.principal, table_id=table["id"],
                                      records=[{"fields": values}])[0]  # fmt: skip


def _between_read_and_write(monkeypatch: Any, action: Callable[[], None]) -> None:
    """Run `action` (in its own transaction, committed) right after update_record's unlocked read."""
    real = records.write_context
    done: list[bool] = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if kwargs.get("record_id") and not done:
            done.append(True)
            action()
        return result

    monkeypatch.setattr(records, "write_context", wrapped)


def _history(table_id: str, record_id: str) -> list[dict[str, Any]]:
    with session_scope() as s:
        rows = s.execute(
            text("SELECT changes FROM record_history WHERE table_id = :t AND record_id = :r ORDER BY version"),
            {"t": table_id, "r": record_id},
        )
        return [r[0] for r in rows]


def _events(table_id: str, record_id: str) -> int:
    with session_scope() as s:
        return s.execute(
            text(
                "SELECT count(*) FROM change_events WHERE table_id = :t AND type = 'records.updated' "
                "AND payload -> 'record_ids' ? :r"
            ),
            {"t": table_id, "r": record_id},
        ).scalar_one()


def test_patch_writes_row_history_and_event(world: World, table: dict[str, str]) -> None:
    rec = _create(world, table, {table["qty"]: 1})
    with session_scope() as s:
        out = records.update_record(s, principal=world.users["editor"].principal, table_id=table["id"],
                                    record_id=rec["id"], fields={table["qty"]: 2}, if_match=1)  # fmt: skip
    assert out["version"] == 2 and out["fields"][table["qty"]] == 2
    assert _history(table["id"], rec["id"]) == [{table["qty"]: {"from": 1, "to": 2}}]
    assert _events(table["id"], rec["id"]) == 1
    # nothing to change: no write, no history, no event
    with session_scope() as s:
        same = records.update_record(s, principal=world.owner.principal, table_id=table["id"],
                                     record_id=rec["id"], fields={table["qty"]: 2})  # fmt: skip
    assert same["version"] == 2
    assert len(_history(table["id"], rec["id"])) == 1 and _events(table["id"], rec["id"]) == 1


def test_concurrent_write_in_between_is_merged_not_lost(world: World, table: dict[str, str], monkeypatch: Any) -> None:
    rec = _create(world, table, {table["qty"]: 1, table["name"]: "first"})

    def other_writer() -> None:
        with session_scope() as s:
            records.update_records(s, principal=world.owner.principal, table_id=table["id"],
                                   records=[{"id": rec["id"], "fields": {table["name"]: "second"}}])  # fmt: skip

    _between_read_and_write(monkeypatch, other_writer)
    with session_scope() as s:
        out = records.update_record(s, principal=world.owner.principal, table_id=table["id"],
                                    record_id=rec["id"], fields={table["qty"]: 5})  # fmt: skip
    # Redone on the other writer's version: both changes kept, one version each.
    assert out["version"] == 3
    assert out["fields"][table["name"]] == "second" and out["fields"][table["qty"]] == 5
    with session_scope() as s:
        stored = records.get_record(s, principal=world.owner.principal, table_id=table["id"], record_id=rec["id"])
    assert stored == out
    assert _history(table["id"], rec["id"]) == [
        {table["name"]: {"from": "first", "to": "second"}},
        {table["qty"]: {"from": 1, "to": 5}},
    ]
    assert _events(table["id"], rec["id"]) == 2  # the first attempt wrote no event


def test_if_match_with_a_write_in_between_is_412_and_writes_nothing(
    world: World, table: dict[str, str], monkeypatch: Any
) -> None:
    rec = _create(world, table, {table["qty"]: 1})

    def other_writer() -> None:
        with session_scope() as s:
            records.update_records(s, principal=world.owner.principal, table_id=table["id"],
                                   records=[{"id": rec["id"], "fields": {table["qty"]: 7}}])  # fmt: skip

    _between_read_and_write(monkeypatch, other_writer)
    with pytest.raises(PreconditionFailed) as caught, session_scope() as s:
        records.update_record(s, principal=world.owner.principal, table_id=table["id"], record_id=rec["id"],
                              fields={table["qty"]: 9}, if_match=1)  # fmt: skip
    assert caught.value.details["stale"] == [{"id": rec["id"], "expected": 1, "current": 2}]
    with session_scope() as s:
        stored = records.get_record(s, principal=world.owner.principal, table_id=table["id"], record_id=rec["id"])
    assert stored["version"] == 2 and stored["fields"][table["qty"]] == 7
    assert len(_history(table["id"], rec["id"])) == 1 and _events(table["id"], rec["id"]) == 1


def test_delete_in_between_is_404(world: World, table: dict[str, str], monkeypatch: Any) -> None:
    rec = _create(world, table, {table["qty"]: 1})

    def deleter() -> None:
        with session_scope() as s:
            records.delete_records(s, principal=world.owner.principal, table_id=table["id"], record_ids=[rec["id"]])

    _between_read_and_write(monkeypatch, deleter)
    with pytest.raises(NotFound), session_scope() as s:
        records.update_record(s, principal=world.owner.principal, table_id=table["id"], record_id=rec["id"],
                              fields={table["qty"]: 9})  # fmt: skip
    assert _history(table["id"], rec["id"]) == [{}]  # the delete's entry only


def test_roles_and_typecast_options(world: World, table: dict[str, str]) -> None:
    rec = _create(world, table, {table["qty"]: 1})
    with pytest.raises(Forbidden), session_scope() as s:
        records.update_record(s, principal=world.users["viewer"].principal, table_id=table["id"],
                              record_id=rec["id"], fields={table["qty"]: 2})  # fmt: skip
    with pytest.raises(NotFound), session_scope() as s:
        records.update_record(s, principal=world.outsider.principal, table_id=table["id"],
                              record_id=rec["id"], fields={table["qty"]: 2})  # fmt: skip
    # typecast adds the option to the field (saved, not only used for this record)
    with session_scope() as s:
        out = records.update_record(s, principal=world.users["editor"].principal, table_id=table["id"],
                                    record_id=rec["id"], fields={table["tag"]: "new"}, typecast=True)  # fmt: skip
    with session_scope() as s:
        field = fields.get_field(s, principal=world.owner.principal, field_id=table["tag"])
    names = {c["id"]: c["name"] for c in field["options"]["choices"]}
    assert sorted(names.values()) == ["a", "new"]
    assert out["fields"][table["tag"]] == "new"
    change = _history(table["id"], rec["id"])[-1][table["tag"]]
    assert change["from"] is None and names[change["to"]] == "new"
