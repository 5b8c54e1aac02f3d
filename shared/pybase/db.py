"""Database engine and sessions: sync SQLAlchemy 2.x over psycopg 3.

A Lambda container serves one request at a time, so the pool keeps one connection that is reused
across invocations. A container thawed after minutes may find that connection closed by the server
or a proxy, so a connection idle for longer than PING_AFTER_IDLE_SECONDS is pinged at checkout and
replaced when dead; one used moments ago is not (SQLAlchemy's pre-ping would cost every request a
round trip). Automatic server-side preparation is off: generic plans drop the expression and trigram
indexes that filters depend on. The few statements every request runs, whose plans take longer than
their runs, are prepared where they ask to be (execute_prepared).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg import Connection, Cursor
from psycopg.pq import TransactionStatus
from psycopg.types.json import set_json_loads
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from pybase.config import get_settings
from pybase.errors import ServiceUnavailable

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


# psycopg prepares a statement after this many runs on one connection, or at once when asked
# (execute(..., prepare=True)). Never reached within pool_recycle: only statements that ask are
# prepared; the others keep custom plans (a filter's plan depends on its values).
PREPARE_WHEN_ASKED = 10**9


def execute_prepared(raw: Connection[Any], sql: str, params: Any) -> Cursor[Any]:
    """Run `sql` on the driver's connection as a server-side prepared statement (see
    PREPARE_WHEN_ASKED). As the first statement of a transaction, it carries the transaction's BEGIN
    in the same write (pipeline mode) instead of BEGIN taking a round trip of its own."""
    if raw.info.transaction_status == TransactionStatus.IDLE:
        with raw.pipeline():
            return raw.execute(sql, params, prepare=True)
    return raw.execute(sql, params, prepare=True)


_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs (as pgserver and most tools print them) for psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def get_engine() -> Engine:
    global _engine, _sessionmaker
    if _engine is None:
        _engine = create_engine(
            normalize_url(get_settings().database_url),
            pool_size=1,
            max_overflow=8,
            pool_recycle=1800,
            connect_args={"prepare_threshold": PREPARE_WHEN_ASKED if get_settings().db_prepare else None},
            json_deserializer=orjson.loads,
        )
        event.listen(_engine, "connect", _fast_json)
        event.listen(_engine, "connect", _mark_idle)
        event.listen(_engine, "checkin", _mark_idle)
        event.listen(_engine, "checkout", _ping_if_idle)
        _sessionmaker = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


# A frozen Lambda container does not run, so any gap between two requests longer than this is
# time in which the server, a proxy or a NAT may have dropped the connection: ping before use.
# Within it the connection answered moments ago; should it still fail, SQLAlchemy invalidates it
# on the error and the next request connects anew (the same window pre-ping leaves between its
# ping and the query).
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_KEY = "pybase_idle_since"


def _fast_json(dbapi_connection: Any, record: Any) -> None:
    # Every JSONB value a query returns (a page's record data, read on the driver's connection) is
    # parsed by orjson instead of the json module: a first page of 100 records went from 2.82 to
    # 2.48 ms of service time in alternating rounds (2,000 records, load 1.3). Stored numbers stay
    # below 10^15, within the integers orjson keeps exact.
    set_json_loads(orjson.loads, dbapi_connection)


def _mark_idle(dbapi_connection: Any, record: Any, *_: Any) -> None:
    # Both clocks: the wall clock is corrected after a VM pause or snapshot restore, during which
    # the monotonic clock may stand still; either one saying "long ago" (or going back) pings.
    record.info[_IDLE_KEY] = (time.monotonic(), time.time())


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    since = record.info.get(_IDLE_KEY)
    if since is not None:
        idle_mono, idle_wall = time.monotonic() - since[0], time.time() - since[1]
        if 0 <= idle_mono <= PING_AFTER_IDLE_SECONDS and 0 <= idle_wall <= PING_AFTER_IDLE_SECONDS:
            return
    try:
        _ping(dbapi_connection)
    except Exception as exc:  # the pool discards this connection and checks out a new one
        raise DisconnectionError(f"connection idle {PING_AFTER_IDLE_SECONDS:g}+ s failed its ping") from exc


def _ping(dbapi_connection: Any) -> None:
    # Autocommit so the ping does not open the transaction the request is about to start.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute(";")
    finally:
        dbapi_connection.autocommit = autocommit


def reset_engine() -> None:
    """Drop the cached engine (tests switch databases between sessions)."""
    global _engine, _sessionmaker
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _sessionmaker = None


def new_session() -> Session:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any exception."""
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def __getattr__(name: str) -> Any:
    # `get_session`, the request's session as a FastAPI dependency, lives in pybase.sessions so that
    # functions without HTTP routes (extract, relay, purge, ws) never import FastAPI.
    if name == "get_session":
        from pybase.sessions import get_session

        return get_session
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# SQLSTATE classes that say "the server cannot serve now", not "this request is wrong": connection
# exceptions (08), insufficient resources (53: disk, memory, too many connections), operator
# intervention (57: shutdown, crash recovery, cancelled by timeout) and system errors (58).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
RETRY_AFTER_SECONDS = 5


def database_error_types() -> tuple[type[BaseException], ...]:
    """The exception types among which is_unavailable() finds the "database unavailable" errors."""
    import psycopg
    from sqlalchemy import exc

    return (exc.DBAPIError, exc.DisconnectionError, exc.TimeoutError, psycopg.OperationalError, psycopg.InterfaceError)


def is_unavailable(error: BaseException) -> bool:
    """True when `error` means PostgreSQL is unreachable, shutting down or out of resources (the
    request may succeed if retried), as opposed to a bug or a bad value."""
    import psycopg
    from sqlalchemy import exc

    if isinstance(error, exc.DisconnectionError | exc.TimeoutError):  # pool: dead at checkout, or none free
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, psycopg.InterfaceError):  # "the connection is closed"
        return True
    if isinstance(error, psycopg.OperationalError):
        # No SQLSTATE: the client library lost or never got a connection (refused, reset, timed out).
        return error.sqlstate is None or error.sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    return False


def unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("The database is unavailable; try again shortly.", retry_after=RETRY_AFTER_SECONDS)


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run `callback` once the session's current transaction commits (dropped on rollback).

    Used to publish change events only after the data they describe is durable.
    """
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed notification must never undo or fail a committed write
            import logging

            logging.getLogger("pybase.db").exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
    session.info.pop("pending_events", None)
