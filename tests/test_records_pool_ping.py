"""The engine pings a pooled connection only after it sat idle (pybase.db.PING_AFTER_IDLE_SECONDS):
a connection the server killed meanwhile is replaced, a recently used one costs no extra round trip."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from pybase import db


def _backend_pid() -> int:
    with db.session_scope() as s:
        return s.execute(text("SELECT pg_backend_pid()")).scalar_one()


@pytest.fixture
def engine() -> Any:
    db.reset_engine()
    yield db.get_engine()
    db.reset_engine()


@pytest.fixture
def pings(monkeypatch: Any) -> list[Any]:
    seen: list[Any] = []
    real = db._ping

    def counting(dbapi_connection: Any) -> None:
        seen.append(dbapi_connection)
        real(dbapi_connection)

    monkeypatch.setattr(db, "_ping", counting)
    return seen


def _age_pooled_connection(engine: Any, *, seconds: float) -> None:
    """Make the idle pooled connection look as if it was last used `seconds` ago."""
    (record,) = list(engine.pool._pool.queue)
    mono, wall = record.info[db._IDLE_KEY]
    record.info[db._IDLE_KEY] = (mono - seconds, wall - seconds)


def test_recently_used_connection_is_not_pinged(engine: Any, pings: list[Any]) -> None:
    first = _backend_pid()
    for _ in range(5):
        assert _backend_pid() == first
    assert pings == []


def test_idle_connection_is_pinged_and_kept_when_alive(engine: Any, pings: list[Any]) -> None:
    first = _backend_pid()
    _age_pooled_connection(engine, seconds=db.PING_AFTER_IDLE_SECONDS + 1)
    assert _backend_pid() == first
    assert len(pings) == 1


def test_idle_connection_killed_by_the_server_is_replaced(engine: Any, pings: list[Any]) -> None:
    victim = _backend_pid()
    admin = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (victim,)).fetchone()[0] is True
    # As after a frozen Lambda container thaws: the checkout pings the idle connection, finds it
    # dead and hands out a new one, so the request succeeds.
    _age_pooled_connection(engine, seconds=db.PING_AFTER_IDLE_SECONDS + 1)
    replacement = _backend_pid()
    assert replacement != victim
    assert len(pings) == 1  # only the dead one: a new connection needs no ping
    assert _backend_pid() == replacement


def test_wall_clock_behind_the_mark_pings(engine: Any, pings: list[Any]) -> None:
    _backend_pid()
    # A restored VM snapshot can leave the clocks disagreeing with the mark: treat it as idle.
    (record,) = list(engine.pool._pool.queue)
    mono, wall = record.info[db._IDLE_KEY]
    record.info[db._IDLE_KEY] = (mono, wall + 3600)
    _backend_pid()
    assert len(pings) == 1
