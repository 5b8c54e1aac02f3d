"""The access statement each records request starts with is a server-side prepared statement (its
planning cost more than its run); PYBASE_DB_PREPARE=false turns that off, and nothing else is prepared."""

from __future__ import annotations

import pytest

from pybase.db import reset_engine, session_scope
from pybase.records.service import write_context
from tests.test_records_helpers import make_table, make_world

_PREPARED = "SELECT statement FROM pg_prepared_statements WHERE NOT from_sql"


def _prepared_after_reads() -> list[str]:
    world = make_world(("owner",))
    table = make_table(world.base_id, by=world.owner)
    with session_scope() as session:
        for _ in range(3):
            write_context(session, principal=world.owner.principal, table_id=table.id, role="viewer")
            write_context(session, principal=world.owner.principal, table_id=table.id, role="editor", record_id="rec0")
        raw = session.connection().connection.driver_connection
        # A statement run more often than psycopg's default threshold (5) stays unprepared.
        for _ in range(8):
            raw.execute("SELECT count(*) FROM fields WHERE table_id = %s", (table.id,))
        return [r[0] for r in raw.execute(_PREPARED).fetchall()]


def test_the_access_statement_is_prepared_and_nothing_else() -> None:
    reset_engine()
    statements = _prepared_after_reads()
    assert len(statements) == 2, statements
    assert all("json_agg" in s for s in statements)
    # The statement with a record names its table's partition in its text (a generic plan over a
    # parameter would hold every partition of `records`).
    assert sum("LEFT JOIN records r ON r.table_id = 'tbl" in s for s in statements) == 1


def test_prepared_statements_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBASE_DB_PREPARE", "false")
    reset_engine()
    try:
        assert _prepared_after_reads() == []
    finally:
        monkeypatch.undo()
        reset_engine()
