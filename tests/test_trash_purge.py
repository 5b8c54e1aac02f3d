"""The scheduled purge: hard-deletes trash older than 30 days, in batches, and resumes after a deadline."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select, text, update

from pybase.comments.models import Comment
from pybase.db import session_scope, utcnow
from pybase.fields.models import Field
from pybase.history.models import RecordHistory
from pybase.records.models import Record, RecordIndex
from pybase.tables.models import Table
from pybase.trash.purge import purge_expired
from pybase.views.models import View
from tests.conftest import Api
from tests.lambda_events import LambdaContext, load_function
from tests.test_views_support import add_records, add_table, events, load, make_world, record_row, soft_delete


def trash_records(table_id: str, ids: list[str], *, days_ago: float) -> None:
    with session_scope() as session:
        session.execute(
            update(Record)
            .where(Record.table_id == table_id, Record.id.in_(ids))
            .values(deleted_at=utcnow() - timedelta(days=days_ago))
        )


def make_index(table_id: str, field_id: str) -> str:
    name = f"ix_test_{field_id.lower()}"
    with session_scope() as session:
        session.execute(
            text(
                # On the table's own partition of records, where the records engine builds them.
                f"CREATE INDEX {name} ON \"records_{table_id}\" (((data ->> '{field_id}'))) "
                "WHERE deleted_at IS NULL"
            )
        )
        session.add(RecordIndex(name=name, table_id=table_id, field_id=field_id, kind="btree", expression="x"))
    return name


def index_exists(name: str) -> bool:
    with session_scope() as session:
        return session.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name})


def test_purge_function_removes_expired_trash_only(api: Api) -> None:
    world = make_world()
    f = world.fields
    ids = add_records(world, [{"Name": f"part {i}", "Qty": i, "Notes": "n"} for i in range(7)])
    old_record, recent_record = ids[0], ids[1]
    trash_records(world.table_id, [old_record], days_ago=31)
    trash_records(world.table_id, [recent_record], days_ago=5)
    with session_scope() as session:
        session.add(Comment(table_id=world.table_id, record_id=old_record, author_id=world.users["editor"], text="hi"))
        session.add(
            RecordHistory(
                table_id=world.table_id, record_id=old_record, version=2, action="deleted", changes={}, actor_id=None
            )
        )
    qty_index = make_index(world.table_id, f["Qty"])
    # A live kanban that sorts by the field that is about to be purged.
    board = world.api(api, "editor").call(
        "tables",
        "POST",
        f"/tables/{world.table_id}/views",
        body={
            "name": "Board",
            "type": "kanban",
            "config": {"stack_field_id": f["Status"], "sorts": [{"field_id": f["Qty"]}]},
        },
    )
    assert board.status == 201, board.text
    board_id = board.json()["id"]
    soft_delete(Field, f["Qty"], days_ago=40)
    soft_delete(Field, f["Notes"], days_ago=2)
    old_view = (
        world.api(api, "editor")
        .call("tables", "POST", f"/tables/{world.table_id}/views", body={"name": "Old"})
        .json()["id"]
    )
    soft_delete(View, old_view, days_ago=31)
    gone_table = add_table(world, "Gone")
    add_records(world, [{"x": i} for i in range(5)], table_id=gone_table)
    gone_index = make_index(gone_table, f["Name"])
    soft_delete(Table, gone_table, days_ago=35)
    kept_table = add_table(world, "Kept")
    soft_delete(Table, kept_table, days_ago=3)

    purge = load_function("purge")
    summary = purge.handler({"batch_size": 2}, LambdaContext())
    assert summary["complete"] is True
    assert summary["fields"] >= 1 and summary["tables"] >= 1 and summary["views"] >= 1 and summary["records"] >= 1

    assert record_row(world.table_id, old_record) is None
    assert record_row(world.table_id, recent_record) is not None
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Comment).where(Comment.record_id == old_record)) == 0
        assert (
            session.scalar(select(func.count()).select_from(RecordHistory).where(RecordHistory.record_id == old_record))
            == 0
        )
        datas = session.scalars(select(Record.data).where(Record.table_id == world.table_id)).all()
        assert datas and all(f["Qty"] not in d for d in datas)
        assert all(f["Notes"] in d for d in datas)  # trashed 2 days ago: kept for a restore
        assert session.scalar(select(func.count()).select_from(Record).where(Record.table_id == gone_table)) == 0
    assert load(Field, f["Qty"]) is None and load(Field, f["Notes"]) is not None
    assert load(View, old_view) is None
    assert load(Table, gone_table) is None and load(Table, kept_table) is not None
    assert not index_exists(qty_index) and not index_exists(gone_index)
    stored = load(View, board_id).config
    assert stored["sorts"] == [] and stored["stack_field_id"] == f["Status"]
    types = {e.type for e in events(world.table_id)}
    assert {"records.purged", "field.purged", "view.purged"} <= types
    assert [e.type for e in events(gone_table, "table.purged")] == ["table.purged"]


def test_purge_stops_at_its_deadline_and_resumes() -> None:
    world = make_world()
    add_records(world, [{"Qty": i} for i in range(6)])
    soft_delete(Field, world.fields["Qty"], days_ago=31)
    first = purge_expired(batch_size=2, deadline=time.monotonic())
    assert first.complete is False
    assert load(Field, world.fields["Qty"]) is not None
    second = purge_expired(batch_size=2)
    assert second.complete is True
    assert load(Field, world.fields["Qty"]) is None
    with session_scope() as session:
        datas = session.scalars(select(Record.data).where(Record.table_id == world.table_id)).all()
    assert len(datas) == 6 and all(world.fields["Qty"] not in d for d in datas)
