"""Records are stored one list partition per table: created with the table, kept in the trash,
dropped on purge and with a base; migrations move existing records into partitions."""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
from sqlalchemy import text

from pybase.db import session_scope
from pybase.tables.models import Table
from tests.conftest import Api
from tests.lambda_events import LambdaContext, load_function
from tests.test_views_support import add_records, add_table, make_world, soft_delete


def partition_rows(table_id: str) -> int | None:
    """Rows in the table's own partition, None when it has none."""
    with session_scope() as session:
        if session.scalar(text("SELECT to_regclass(:n)"), {"n": f'"records_{table_id}"'}) is None:
            return None
        return session.scalar(text(f'SELECT count(*) FROM "records_{table_id}"'))


def test_each_table_has_its_own_partition_kept_in_trash_dropped_on_purge(api: Api) -> None:
    world = make_world()
    assert partition_rows(world.table_id) == 0
    add_records(world, [{"Name": f"part {i}"} for i in range(3)])
    other = add_table(world, "Other")
    add_records(world, [{"x": i} for i in range(4)], table_id=other)
    assert partition_rows(world.table_id) == 3 and partition_rows(other) == 4
    with session_scope() as session:
        # No foreign key from records to tables (it would not survive a distribution key).
        assert (
            session.scalar(
                text(
                    "SELECT count(*) FROM pg_constraint WHERE conrelid = 'records'::regclass "
                    "AND confrelid = 'tables'::regclass"
                )
            )
            == 0
        )
        assert session.scalar(text("SELECT relkind FROM pg_class WHERE relname = 'records'")) == "p"

    # Trash keeps the partition: the table comes back with its records.
    editor = world.api(api, "owner")
    assert editor.call("tables", "DELETE", f"/tables/{other}").status == 204
    assert partition_rows(other) == 4
    assert editor.call("tables", "POST", f"/trash/table/{other}/restore").status == 200
    listing = editor.call("records", "GET", f"/tables/{other}/records")
    assert listing.status == 200 and len(listing.json()["records"]) == 4

    soft_delete(Table, other, days_ago=35)
    summary = load_function("purge").handler({"batch_size": 2}, LambdaContext())
    assert summary["complete"] is True and summary["tables"] >= 1
    assert partition_rows(other) is None
    assert partition_rows(world.table_id) == 3


def test_deleting_a_base_drops_its_partitions(api: Api) -> None:
    world = make_world()
    add_records(world, [{"Name": "a"}])
    owner = world.api(api, "owner")
    assert owner.call("workspaces", "DELETE", f"/bases/{world.base_id}").status == 204
    assert partition_rows(world.table_id) is None


def test_migration_moves_existing_records_into_partitions(empty_database: tuple[Any, str]) -> None:
    from alembic import command

    cfg, libpq = empty_database
    # The schema as it was before partitions: records, its trash indexes, comments and links.
    command.upgrade(cfg, "0006")
    command.upgrade(cfg, "0003")
    tables = ["tbl" + secrets.token_hex(7), "tbl" + secrets.token_hex(7)]
    with psycopg.connect(libpq) as conn:
        conn.execute("INSERT INTO workspaces (id, name, created_at) VALUES ('wspMigrate0000001', 'w', now())")
        conn.execute(
            "INSERT INTO bases (id, workspace_id, name, created_at) "
            "VALUES ('appMigrate0000001', 'wspMigrate0000001', 'b', now())"
        )
        for n, table_id in enumerate(tables):
            conn.execute(
                "INSERT INTO tables (id, base_id, name, position, created_at) "
                "VALUES (%s, 'appMigrate0000001', %s, %s, now())",
                (table_id, f"t{n}", n),
            )
            for i in range(n + 2):
                conn.execute(
                    "INSERT INTO records (table_id, id, seq, data, version, created_at, updated_at, deleted_at) "
                    "VALUES (%s, %s, %s, '{}', 1, now(), now(), CASE WHEN %s = 0 THEN now() END)",
                    (table_id, f"rec{n}{i}".ljust(17, "0"), i + 1, i),
                )
        conn.execute(
            "INSERT INTO comments (id, table_id, record_id, text, mentions, created_at) "
            "VALUES ('comMigrate0000001', %s, %s, 'hi', '{}', now())",
            (tables[0], "rec01".ljust(17, "0")),
        )
    command.upgrade(cfg, "0060")
    with psycopg.connect(libpq) as conn:
        assert conn.execute("SELECT relkind FROM pg_class WHERE relname = 'records'").fetchone() == ("p",)
        counts = [conn.execute(f'SELECT count(*) FROM "records_{t}"').fetchone()[0] for t in tables]
        assert counts == [2, 3]
        assert conn.execute("SELECT count(*) FROM records WHERE deleted_at IS NOT NULL").fetchone() == (2,)
        # The comment still points at its record, and (until 0061) the foreign key still cascades.
        conn.execute("DELETE FROM records WHERE id = %s", ("rec01".ljust(17, "0"),))
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (0,)
    command.upgrade(cfg, "heads")
    with psycopg.connect(libpq) as conn:
        # 0061: no foreign key points into records any more (the purge deletes comments and links).
        keys = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'records'::regclass"
        ).fetchone()
        assert keys == (0,)
        # Each migrated partition carries the per-table unique seq index.
        dup = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexdef LIKE '%%UNIQUE%%seq%%'",
            (f"records_{tables[1]}",),
        ).fetchone()
        assert dup == (1,)
