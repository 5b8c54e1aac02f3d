"""The access statement each records request starts with, and a single record's update, are
server-side prepared statements (their planning cost as much as their run); PYBASE_DB_PREPARE=false
turns that off, and nothing else is prepared."""

from __future__ import annotations

from typing import Any

import pytest

from pybase.db import reset_engine, session_scope
from pybase.records.service import write_context
from tests.conftest import Api
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


def test_a_single_update_is_prepared_per_table(api: Api) -> None:
    reset_engine()
    world = make_world(("owner",))
    owner = api.as_user(world.owner.token)
    table = make_table(world.base_id, by=world.owner)
    url = f"/tables/{table.id}/records"
    record = owner.call("records", "POST", url, body={"fields": {table.primary_field_id: "a"}}).json()
    for i in range(3):
        response = owner.call("records", "PATCH", f"{url}/{record['id']}", body={"fields": {"Name": f"v{i}"}})
        assert response.status == 200, response.text
    with session_scope() as session:
        raw = session.connection().connection.driver_connection
        statements = [r[0] for r in raw.execute(_PREPARED).fetchall()]
    assert sum("UPDATE records SET data" in s and f"table_id = '{table.id}'" in s for s in statements) == 1


def _pipelines_entered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The transaction status of the connection at each entry into pipeline mode, from now on."""
    import psycopg

    entered: list[str] = []
    pipeline = psycopg.Connection.pipeline

    def counting(self: psycopg.Connection[Any]) -> Any:
        entered.append(str(self.info.transaction_status.name))
        return pipeline(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counting)
    return entered


def test_the_access_statement_carries_the_transactions_begin(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pipeline mode sends BEGIN and the statement in one write; inside a transaction already begun
    # (a session token's account check ran first) the statement goes out as usual.
    world = make_world(("owner",))
    table = make_table(world.base_id, by=world.owner)
    entered = _pipelines_entered(monkeypatch)
    with session_scope() as session:
        write_context(session, principal=world.owner.principal, table_id=table.id, role="viewer")
        raw = session.connection().connection.driver_connection
        assert raw.info.transaction_status.name == "INTRANS"
        write_context(session, principal=world.owner.principal, table_id=table.id, role="viewer")
    assert entered == ["IDLE"]


def test_a_session_tokens_account_check_carries_the_begin_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.auth.security import issue_access_token
    from pybase.auth.service import authenticate

    world = make_world(("owner",))
    table = make_table(world.base_id, by=world.owner)
    token, _ = issue_access_token(world.owner.id)
    entered = _pipelines_entered(monkeypatch)
    with session_scope() as session:
        assert authenticate(session, token=token).user_id == world.owner.id
        write_context(session, principal=world.owner.principal, table_id=table.id, role="viewer")
    assert entered == ["IDLE"]  # the account check opened the transaction; the access statement did not
