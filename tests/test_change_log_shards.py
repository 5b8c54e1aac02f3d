"""The change log in shards: each shard (a base's, or a workspace's for events outside bases) takes
IDs from its own sequence, so no sequence is shared by all tables; readers of the whole log keep a
cursor per shard, so a transaction holding an ID in one shard holds back no other shard."""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from pybase.db import session_scope
from pybase.events.service import LOG_SHARDS, emit, log_shard
from pybase.realtime import relay
from pybase.search import feeder


def _ids_in_two_shards() -> tuple[str, str]:
    """Two base IDs whose events land in different shards."""
    first = "app" + secrets.token_hex(7)
    while True:
        second = "app" + secrets.token_hex(7)
        if log_shard("", second) != log_shard("", first):
            return first, second


def _emit(base_id: str, *, record_id: str = "recAAAAAAAAAAAAAA", table_id: str = "tblAAAAAAAAAAAAAA") -> int:
    with session_scope() as session:
        return emit(
            session,
            type="records.updated",
            workspace_id="wsp" + "0" * 14,
            base_id=base_id,
            table_id=table_id,
            payload={"record_ids": [record_id]},
        )


def test_python_and_the_database_agree_on_the_shard_of_a_key() -> None:
    keys = ["app" + secrets.token_hex(7) for _ in range(300)] + ["wsp" + secrets.token_hex(7) for _ in range(50)]
    with session_scope() as session:
        in_sql = session.execute(
            text("SELECT k, pybase_log_shard(k) FROM unnest(CAST(:k AS text[])) AS k"), {"k": keys}
        ).all()
    assert {k: int(s) for k, s in in_sql} == {k: log_shard("", k) for k in keys}
    assert {log_shard("", k) for k in keys} == set(range(LOG_SHARDS))
    # An event outside any base goes by its workspace; inside one, by its base whatever its workspace.
    assert log_shard("wspX", None) == log_shard("", "wspX") and log_shard("wspX", "appY") == log_shard("", "appY")


def test_each_shard_draws_its_own_ids() -> None:
    a, b = _ids_in_two_shards()
    first = _emit(a)
    for _ in range(3):
        _emit(b)
    # Base B's three events took nothing from base A's shard.
    assert _emit(a) == first + 1
    with session_scope() as session:
        rows = session.execute(
            text("SELECT base_id, shard FROM change_events WHERE base_id IN (:a, :b)"), {"a": a, "b": b}
        ).all()
    assert {(base, int(shard)) for base, shard in rows} == {(a, log_shard("", a)), (b, log_shard("", b))}


def test_an_event_of_a_table_must_name_its_base() -> None:
    with session_scope() as session, pytest.raises(ValueError, match="names its base"):
        emit(session, type="records.updated", workspace_id="wsp" + "0" * 14, table_id="tblAAAAAAAAAAAAAA")


def test_the_search_feeder_reads_each_shard_past_its_own_gap() -> None:
    """An open transaction holding an ID in base A's shard holds back only that shard: base B's later
    event is sent and B's cursor moves; A's moves once the transaction commits."""
    a, b = _ids_in_two_shards()
    sent: list[dict[str, Any]] = []
    feed = feeder.Feeder(sent.extend, name=f"test-shards-{secrets.token_hex(3)}")
    # Each shard's last ID committed, so no hole (an ID a rolled-back write took) lies above it.
    primed = {a: _emit(a), b: _emit(b)}
    with feeder.get_engine().connect() as conn:
        feed.poll(conn, start_at_end=True)
        assert feed.shards is not None and feed.shards[log_shard("", a)].floor == primed[a]
        slow = session_scope()
        session = slow.__enter__()
        late = emit(
            session,
            type="records.updated",
            workspace_id="wsp" + "0" * 14,
            base_id=a,
            table_id="tblLATELATELATELA",
            payload={"record_ids": ["recLATELATELATELA"]},
        )
        after_gap = _emit(a, table_id="tblAFTERAFTERAFTE", record_id="recAFTERAFTERAFTE")
        in_b = _emit(b, table_id="tblBBBBBBBBBBBBBB", record_id="recBBBBBBBBBBBBBB")
        feed.poll(conn)
        assert {m["table_id"] for m in sent} == {"tblAFTERAFTERAFTE", "tblBBBBBBBBBBBBBB"}
        assert feed.shards[log_shard("", b)].floor == in_b == primed[b] + 1
        assert feed.shards[log_shard("", a)].floor == primed[a] == late - 1
        slow.__exit__(None, None, None)
        sent.clear()
        feed.poll(conn)
        assert [m["table_id"] for m in sent] == ["tblLATELATELATELA"]
        assert feed.shards[log_shard("", a)].floor == after_gap
        rows = conn.execute(text("SELECT shard, last_id FROM search_cursor WHERE name = :n"), {"n": feed.name})
        saved = {int(n): int(i) for n, i in rows}
        conn.rollback()
    assert len(saved) == LOG_SHARDS
    assert saved[log_shard("", a)] == after_gap and saved[log_shard("", b)] == in_b


def test_the_relay_cursor_keeps_a_gap_to_its_shard() -> None:
    a, b = _ids_in_two_shards()
    cursor = relay.LogCursor({n: relay.Cursor(10) for n in range(LOG_SHARDS)})
    cursor.mark([{"id": 11, "workspace_id": "w", "base_id": a}, {"id": 13, "workspace_id": "w", "base_id": a}])
    assert cursor.shards[log_shard("", a)].gaps == {12}
    # Base B's shard has no gap: its next ID follows at once, while A's next one waits for 12.
    assert cursor.follows([{"id": 11, "workspace_id": "w", "base_id": b}])
    assert not cursor.follows([{"id": 15, "workspace_id": "w", "base_id": a}])
    fresh = cursor.fresh([{"id": 11, "shard": log_shard("", b)}, {"id": 11, "shard": log_shard("", a)}])
    assert [(e["shard"], e["id"]) for e in fresh] == [(log_shard("", b), 11)]
    params = cursor.scan_params(100)
    assert params["gap_shards"] == [log_shard("", a)] and params["gap_ids"] == [12]


def test_migration_moves_the_log_and_every_cursor_to_shards(empty_database: tuple[Any, str]) -> None:
    from alembic import command

    cfg, libpq = empty_database
    command.upgrade(cfg, "0063")
    a, b = _ids_in_two_shards()
    workspace = "wsp" + secrets.token_hex(7)
    with psycopg.connect(libpq) as conn:
        for base in (a, b, a, None):
            conn.execute(
                "INSERT INTO change_events (workspace_id, base_id, type, payload, created_at) "
                "VALUES (%s, %s, 'x', '{}', now())",
                (workspace, base),
            )
        conn.execute("INSERT INTO search_cursor (name, last_id, updated_at) VALUES ('search', 3, now())")
        conn.execute("INSERT INTO webhook_feed_cursor (name, last_id, updated_at) VALUES ('webhooks', 2, now())")
        conn.execute(
            "INSERT INTO realtime_relay_state (name, floor, high, gaps, updated_at) "
            "VALUES ('relay', 1, 4, '{3}', now())"
        )
    command.upgrade(cfg, "heads")
    with psycopg.connect(libpq) as conn:
        events = conn.execute("SELECT id, shard, base_id FROM change_events ORDER BY id").fetchall()
        assert events == [
            (1, log_shard(workspace, a), a),
            (2, log_shard(workspace, b), b),
            (3, log_shard(workspace, a), a),
            (4, log_shard(workspace, None), None),
        ]
        key = conn.execute(
            "SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY "
            "AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = 'change_events'::regclass AND i.indisprimary"
        ).fetchone()[0]
        assert key == ["shard", "id"]
        for table, columns, value in [
            ("search_cursor", "last_id", (3,)),
            ("webhook_feed_cursor", "last_id", (2,)),
            ("realtime_relay_state", "floor, high, gaps", (1, 4, [3])),
        ]:
            rows = conn.execute(f"SELECT shard, {columns} FROM {table} ORDER BY shard").fetchall()
            assert rows == [(n, *value) for n in range(LOG_SHARDS)], table
        # Every shard continues above every ID the single log handed out.
        nexts = [conn.execute(f"SELECT nextval('change_events_s{n}_id')").fetchone()[0] for n in range(LOG_SHARDS)]
        assert min(nexts) > 4
    command.downgrade(cfg, "0063")
    with psycopg.connect(libpq) as conn:
        assert conn.execute("SELECT count(*), max(id) FROM change_events").fetchone() == (4, 4)
        conn.execute(
            "INSERT INTO change_events (workspace_id, type, payload, created_at) VALUES ('w', 'x', '{}', now())"
        )
        assert conn.execute("SELECT max(id) FROM change_events").fetchone()[0] == 5
