"""No sequence is shared by all tables (a workspace- or table-sharded PostgreSQL could not keep it):
history entries are keyed by the version they gave their record, comments page by (created_at, id),
grants are keyed by user and scope, the change log has a sequence per shard, and the migration carries
existing rows over (the change log's: tests/test_change_log_shards.py)."""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
from sqlalchemy import text

from pybase.db import session_scope


def test_no_column_draws_from_a_shared_sequence() -> None:
    # All per-table data keys itself; the change log takes IDs from one sequence per shard, named by
    # its writers (no column default draws from any sequence).
    from pybase.events.service import LOG_SHARDS

    with session_scope() as session:
        drawn = session.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
            )
        ).all()
        sequences = session.scalars(
            text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")
        ).all()
    assert drawn == []
    assert sorted(sequences) == sorted(f"change_events_s{n}_id" for n in range(LOG_SHARDS))


def test_migration_keys_existing_history_by_version_and_keeps_comment_order(empty_database: tuple[Any, str]) -> None:
    from alembic import command

    cfg, libpq = empty_database
    command.upgrade(cfg, "0061")
    table_id = "tbl" + secrets.token_hex(7)
    kept, gone = "recKept0000000001", "recGone0000000001"
    with psycopg.connect(libpq) as conn:
        conn.execute("INSERT INTO workspaces (id, name, created_at) VALUES ('wspMigrate0000001', 'w', now())")
        conn.execute(
            "INSERT INTO bases (id, workspace_id, name, created_at) "
            "VALUES ('appMigrate0000001', 'wspMigrate0000001', 'b', now())"
        )
        conn.execute(
            "INSERT INTO tables (id, base_id, name, position, created_at) "
            "VALUES (%s, 'appMigrate0000001', 't', 0, now())",
            (table_id,),
        )
        conn.execute(f"CREATE TABLE \"records_{table_id}\" PARTITION OF records FOR VALUES IN ('{table_id}')")
        conn.execute(
            "INSERT INTO users (id, email, name, password_hash, is_active, created_at) "
            "VALUES ('usrMigrate0000001', 'm@example.com', 'M', 'x', true, now())"
        )
        conn.execute(
            "INSERT INTO grants (user_id, workspace_id, scope_type, scope_id, role, created_at) "
            "VALUES ('usrMigrate0000001', 'wspMigrate0000001', 'table', %s, 'viewer', now())",
            (table_id,),
        )
        # Version 4 after three logged changes (one record); a record no longer stored has two.
        conn.execute(
            "INSERT INTO records (table_id, id, seq, data, version, created_at, updated_at) "
            "VALUES (%s, %s, 1, '{}', 4, now(), now())",
            (table_id, kept),
        )
        for record_id, action in [
            (kept, "updated"),
            (gone, "updated"),
            (kept, "deleted"),
            (gone, "deleted"),
            (kept, "restored"),
        ]:
            conn.execute(
                "INSERT INTO record_history (table_id, record_id, action, changes, created_at) "
                "VALUES (%s, %s, %s, '{}', now())",
                (table_id, record_id, action),
            )
        # Two comments in the same microsecond come back in ID order; otherwise by time.
        for comment_id, at in [
            ("comB000000000000", "2026-01-01T10:00:00Z"),
            ("comA000000000000", "2026-01-01T10:00:00Z"),
            ("comC000000000000", "2026-01-01T09:00:00Z"),
        ]:
            conn.execute(
                "INSERT INTO comments (id, table_id, record_id, text, mentions, created_at) "
                "VALUES (%s, %s, %s, 'hi', '{}', %s)",
                (comment_id.ljust(17, "0"), table_id, kept, at),
            )
    command.upgrade(cfg, "heads")
    with psycopg.connect(libpq) as conn:
        entries = conn.execute(
            "SELECT record_id, version, action FROM record_history ORDER BY record_id, version"
        ).fetchall()
        assert entries == [
            (gone, 2, "updated"),
            (gone, 3, "deleted"),
            (kept, 2, "updated"),
            (kept, 3, "deleted"),
            (kept, 4, "restored"),
        ]
        key = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'pk_record_history'"
        ).fetchone()
        assert key == ("PRIMARY KEY (table_id, record_id, version)",)
        grants = conn.execute("SELECT user_id, scope_id, role FROM grants").fetchall()
        assert grants == [("usrMigrate0000001", table_id, "viewer")]
        order = conn.execute("SELECT id FROM comments ORDER BY created_at, id").fetchall()
        assert [r[0][:4] for r in order] == ["comC", "comA", "comB"]
    command.downgrade(cfg, "0061")
    with psycopg.connect(libpq) as conn:
        assert conn.execute("SELECT count(*) FROM record_history WHERE id IS NOT NULL").fetchone() == (5,)
        assert conn.execute("SELECT count(*) FROM comments WHERE seq IS NOT NULL").fetchone() == (3,)


def test_history_entries_are_the_versions_their_changes_made_and_page_by_them() -> None:
    from pybase.fields import service as fields
    from pybase.records import service as records
    from tests.factories import make_table, make_world

    world = make_world(("owner",))
    table = make_table(world.base_id, by=world.owner)
    p = world.owner.principal
    with session_scope() as s:
        qty = fields.create_field(s, principal=p, table_id=table.id, name="Qty", type="number", options={})["id"]
        rec = records.create_records(s, principal=p, table_id=table.id, records=[{"fields": {qty: 1}}])[0]["id"]
    for n in (2, 3):  # versions 2 and 3, one through the single-record path, one through the batch
        with session_scope() as s:
            if n == 2:
                records.update_record(s, principal=p, table_id=table.id, record_id=rec, fields={qty: n})
            else:
                records.update_records(s, principal=p, table_id=table.id, records=[{"id": rec, "fields": {qty: n}}])
    with session_scope() as s:
        records.delete_records(s, principal=p, table_id=table.id, record_ids=[rec])
    with session_scope() as s:
        records.restore_records(s, principal=p, table_id=table.id, record_ids=[rec])
    with session_scope() as s:
        current = records.get_record(s, principal=p, table_id=table.id, record_id=rec)["version"]
        first = records.record_history(s, principal=p, table_id=table.id, record_id=rec, limit=3)
        rest = records.record_history(
            s, principal=p, table_id=table.id, record_id=rec, limit=3, before=first["next_before"]
        )
    assert current == 5
    assert [(e["id"], e["action"]) for e in first["entries"]] == [(5, "restored"), (4, "deleted"), (3, "updated")]
    assert first["next_before"] == 3
    assert [(e["id"], e["action"]) for e in rest["entries"]] == [(2, "updated")]
    assert rest["next_before"] is None
