"""Expression indexes on `records`, asked for on demand, built in the background, recorded in `record_indexes`.

Each index is built on the table's own partition of `records` and is partial (`WHERE deleted_at
IS NULL`), so it holds one table's live rows, and its expression is exactly the one the query
compiler emits (PERF-NOTES: casts must match).

No index is ever built inside an API request: a trigram index of 1,000,000 records takes about 30 s,
past API Gateway's 29 s. A request only registers the index (`state` pending, in its own
transaction) and, once that commits, sends its name to the index build queue; the `indexbuild`
function builds it with CREATE INDEX CONCURRENTLY on an autocommit connection (concurrent builds
cannot run on the partitioned parent, nor inside a transaction). Queries run without the index
meanwhile. States: pending -> building -> ready, or failed with PostgreSQL's reason.

Builds are idempotent: a session advisory lock per index name (released if the worker dies with
its connection) keeps a second build of the same index from starting, a valid index already present
is only marked ready, and an INVALID one left by a failed concurrent build is dropped and rebuilt.
A scheduled sweep sends again what was asked for and never finished (a lost message, a killed worker).

When they are asked for:
- explicitly: a field marked `indexed`, or a view saved with filters/sorts
  (`ensure_indexes(..., wait=True)`, called by the fields and views services);
- automatically: when a listing filters or sorts by a field of a table with at least
  PYBASE_AUTO_INDEX_MIN_ROWS live records (default 10,000).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pybase.config import get_settings
from pybase.db import after_commit, get_engine
from pybase.fields.registry import get_field_type
from pybase.logs import logger
from pybase.records.partitions import partition_name

_CACHE_TTL = 30.0
_known: dict[str, tuple[float, dict[str, str]]] = {}
# Tables found too small for automatic indexes, and until when that answer is trusted.
_small_until: dict[str, float] = {}
# A failed build is asked for again by an explicit request (field marked indexed, view saved) only
# after this long, so a build that cannot succeed is not retried on every save.
RETRY_FAILED_AFTER_SECONDS = 600
# The sweep sends again builds pending or building for longer than this.
STALE_AFTER_SECONDS = 120
# Advisory lock namespace of index builds (two-key advisory locks never collide with one-key ones).
_LOCK_NAMESPACE = 7_140_001


def auto_index_min_rows() -> int:
    return get_settings().auto_index_min_rows


def index_name(table_id: str, kind: str, expression: str) -> str:
    digest = hashlib.sha1(f"{table_id}|{kind}|{expression}".encode()).hexdigest()[:24]
    return f"rx_{table_id[3:]}_{digest}"


def ddl(table_id: str, kind: str, expression: str, name: str) -> str:
    # On the table's own partition: the build reads and locks only that table's rows, and the index
    # costs other tables' plans and writes nothing.
    partition = partition_name(table_id)
    column_expr = re.sub(r"\br\.", "", expression)
    head = f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{partition}"'
    predicate = "WHERE deleted_at IS NULL"
    if kind == "trigram":
        return f"{head} USING gin (({column_expr})) {predicate}"
    if kind == "sort":
        return f"{head} (({column_expr}), seq) {predicate}"
    return f"{head} (({column_expr})) {predicate}"


def wanted_indexes(conditions: Iterable[Any], sort_fields: Iterable[Any]) -> list[tuple[Any, str]]:
    """(field, kind) pairs that a query's filter conditions and first sort key can use."""
    out: list[tuple[Any, str]] = []
    for cond in conditions:
        kind = get_field_type(cond.field.type).index_kinds.get(cond.op)
        if kind is not None:
            out.append((cond.field, kind))
    for field in list(sort_fields)[:1]:
        out.append((field, "sort"))
    return out


def existing(session: Session, table_id: str) -> dict[str, str]:
    """The table's registered indexes and their build states."""
    cached = _known.get(table_id)
    if cached is not None and time.monotonic() - cached[0] < _CACHE_TTL:
        return cached[1]
    states = {
        name: state
        for name, state in session.execute(
            text("SELECT name, state FROM record_indexes WHERE table_id = :t"), {"t": table_id}
        )
    }
    _known[table_id] = (time.monotonic(), states)
    return states


def _live_rows_at_least(session: Session, table_id: str, threshold: int) -> bool:
    found = session.scalar(
        text("SELECT count(*) FROM (SELECT 1 FROM records WHERE table_id = :t AND deleted_at IS NULL LIMIT :n) AS s"),
        {"t": table_id, "n": threshold},
    )
    return (found or 0) >= threshold


def ensure_indexes(session: Session, *, table_id: str, wanted: list[tuple[Any, str]], wait: bool = False) -> list[str]:
    """Ask for the indexes of `wanted` that are not there yet; returns the names asked for.

    They are registered as pending in the caller's transaction and sent to the build queue after it
    commits. With wait=True (an explicit request) always, and a failed build is asked for again;
    otherwise only when the table is big enough for an index to matter.
    """
    have = existing(session, table_id)
    missing: list[tuple[str, str, str, str]] = []
    for field, kind in wanted:
        expression = get_field_type(field.type).index_expression(field, kind)
        if expression is None:
            continue
        name = index_name(table_id, kind, expression)
        retry = wait and have.get(name) == "failed"
        if (name not in have or retry) and all(name != m[0] for m in missing):
            missing.append((name, field.id, kind, expression))
    if not missing:
        return []
    if not wait:
        if _small_until.get(table_id, 0.0) > time.monotonic():
            return []
        if not _live_rows_at_least(session, table_id, auto_index_min_rows()):
            _small_until[table_id] = time.monotonic() + _CACHE_TTL
            return []
    asked = []
    for name, field_id, kind, expression in missing:
        # A concurrent request may register the same index: the first one wins. A failed one is
        # asked for again only once its retry delay has passed.
        row = session.execute(
            text(
                "INSERT INTO record_indexes (name, table_id, field_id, kind, expression, created_at, state, attempts) "
                "VALUES (:n, :t, :f, :k, :e, now(), 'pending', 0) "
                "ON CONFLICT (name) DO UPDATE SET state = 'pending', reason = NULL, created_at = now() "
                "WHERE record_indexes.state = 'failed' "
                "AND record_indexes.finished_at < now() - make_interval(secs => :retry) "
                "RETURNING name"
            ),
            {"n": name, "t": table_id, "f": field_id, "k": kind, "e": expression, "retry": RETRY_FAILED_AFTER_SECONDS},
        ).first()
        if row is not None:
            asked.append(name)
    _known.pop(table_id, None)
    if asked:
        after_commit(session, lambda: request_builds([{"table_id": table_id, "name": n} for n in asked]))
    return asked


# --- sending build requests ---------------------------------------------------------------------


def _send_sqs(messages: list[dict[str, str]]) -> None:
    from pybase import storage  # boto3 only when an index is asked for, not at every cold start

    client = storage.sqs()
    url = storage.queue_url(get_settings().index_build_queue_name)
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
        answer = client.send_message_batch(QueueUrl=url, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} index build request(s)")


def _leave_pending(messages: list[dict[str, str]]) -> None:
    # No queue here (tests and benchmarks without LocalStack): the rows stay pending until
    # `build_pending()` or `python -m pybase.records.indexes` builds them.
    return None


# How build requests leave a request: through SQS wherever there is one (AWS, LocalStack), else they wait.
SENDERS: dict[str, Callable[[list[dict[str, str]]], None]] = {"sqs": _send_sqs, "none": _leave_pending}


def _sender() -> Callable[[list[dict[str, str]]], None]:
    settings = get_settings()
    return SENDERS["sqs" if settings.on_lambda or settings.aws_endpoint_url else "none"]


def request_builds(messages: list[dict[str, str]]) -> None:
    """Send build requests; a failure only leaves them pending for the sweep to send again."""
    try:
        _sender()(messages)
    except Exception:
        logger.exception("index build request not sent; the sweep will send it", extra={"count": len(messages)})


# --- building (the indexbuild function) ---------------------------------------------------------


def _index_validity(conn: Connection, name: str) -> bool | None:
    """True: a valid index of that name exists; False: an INVALID one (a failed concurrent build); None: none."""
    row = conn.execute(
        text(
            "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname = :n AND c.relnamespace = current_schema()::regnamespace"
        ),
        {"n": name},
    ).first()
    return None if row is None else bool(row[0])


def _set_state(conn: Connection, name: str, state: str, *, reason: str | None = None) -> int:
    stamps = {
        "building": "started_at = now(), finished_at = NULL, attempts = attempts + 1",
        "ready": "finished_at = now()",
        "failed": "finished_at = now()",
    }[state]
    return conn.execute(
        text(f"UPDATE record_indexes SET state = :s, reason = :r, {stamps} WHERE name = :n"),
        {"s": state, "r": reason, "n": name},
    ).rowcount


def build_index(name: str) -> str:
    """Build one registered index, if it still needs building. Returns what happened:
    'ready' (built, or found built), 'running' (another worker is building it), 'gone' (no longer
    asked for), or 'failed'. Raises only when the database cannot be reached (the message is retried)."""
    engine = get_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # A worker that dies mid-build (Lambda timeout) drops its connection: the server notices
        # within seconds and cancels the build instead of finishing an index nobody records.
        conn.exec_driver_sql("SET client_connection_check_interval = '5s'")
        conn.exec_driver_sql("SET statement_timeout = 0")
        key = {"ns": _LOCK_NAMESPACE, "n": name}
        if not conn.execute(text("SELECT pg_try_advisory_lock(:ns, hashtext(:n))"), key).scalar():
            return "running"
        try:
            return _build_locked(conn, name)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:n))"), key)
            _known.clear()


def _build_locked(conn: Connection, name: str) -> str:
    row = conn.execute(
        text("SELECT table_id, kind, expression, state FROM record_indexes WHERE name = :n"), {"n": name}
    ).first()
    if row is None:
        return "gone"
    table_id, kind, expression, state = row
    valid = _index_validity(conn, name)
    if valid:
        if state != "ready":
            _set_state(conn, name, "ready")
        return "ready"
    if valid is False:
        conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    _set_state(conn, name, "building")
    started = time.perf_counter()
    try:
        conn.exec_driver_sql(ddl(table_id, kind, expression, name))
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        logger.warning("record index build failed", extra={"index": name, "reason": reason})
        conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
        _set_state(conn, name, "failed", reason=reason[:1000])
        return "failed"
    if not _set_state(conn, name, "ready"):
        # The field or table went away while the index was built: nobody will use or drop it.
        conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
        return "gone"
    logger.info(
        "record index built", extra={"index": name, "kind": kind, "ms": round((time.perf_counter() - started) * 1000)}
    )
    # Statistics on the new expression let the planner tell a common term from a rare one (without
    # them it guesses, and may pick a bitmap scan over 100,000 rows). ANALYZE samples a fixed number
    # of rows, so this stays about a second even on a very large table.
    try:
        conn.exec_driver_sql(f'ANALYZE "{partition_name(table_id)}"')
    except DBAPIError:
        logger.exception("analyze after index build failed", extra={"index": name})
    return "ready"


def build_pending(table_id: str | None = None) -> dict[str, str]:
    """Build every pending (or stale building) index, of one table or all; name -> outcome.
    For tests, benchmarks and local use without a queue; the indexbuild function builds one per message."""
    query = "SELECT name FROM record_indexes WHERE state IN ('pending', 'building')"
    params: dict[str, Any] = {}
    if table_id is not None:
        query += " AND table_id = :t"
        params["t"] = table_id
    with get_engine().connect() as conn:
        names = list(conn.execute(text(query + " ORDER BY created_at"), params).scalars())
    return {name: build_index(name) for name in names}


def sweep(*, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Send again the builds asked for more than `older_than` seconds ago and not finished (a lost
    message, a worker killed mid-build); a build still running just answers 'running'."""
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_id, name FROM record_indexes WHERE state IN ('pending', 'building') "
                "AND coalesce(started_at, created_at) < now() - make_interval(secs => :s) "
                "ORDER BY created_at LIMIT 1000"
            ),
            {"s": older_than},
        ).all()
    if rows:
        _sender()([{"table_id": t, "name": n} for t, n in rows])
    return len(rows)


def list_indexes(session: Session, *, table_id: str) -> list[dict[str, Any]]:
    """The table's indexes and their build states (GET /tables/{id}/indexes)."""
    rows = session.execute(
        text(
            "SELECT name, field_id, kind, state, reason, attempts, created_at, started_at, finished_at "
            "FROM record_indexes WHERE table_id = :t ORDER BY created_at, name"
        ),
        {"t": table_id},
    ).mappings()
    return [
        {
            "name": r["name"],
            "field_id": r["field_id"],
            "kind": r["kind"],
            "state": r["state"],
            "reason": r["reason"],
            "attempts": r["attempts"],
            "requested_at": r["created_at"],
            "started_at": r["started_at"],
            "finished_at": r["finished_at"],
        }
        for r in rows
    ]


def drop_field_indexes(session: Session, *, table_id: str, field_id: str) -> None:
    """Drop a field's indexes after the caller commits (field deleted or its type changed)."""
    names = list(session.scalars(text("SELECT name FROM record_indexes WHERE field_id = :f"), {"f": field_id}))
    if names:
        session.execute(text("DELETE FROM record_indexes WHERE field_id = :f"), {"f": field_id})
        after_commit(session, lambda: _drop(names, table_id))


def drop_table_indexes(session: Session, *, table_id: str) -> None:
    """For purging a table: forget its indexes (they go with its partition; dropping again is harmless)."""
    names = list(session.scalars(text("SELECT name FROM record_indexes WHERE table_id = :t"), {"t": table_id}))
    if names:
        session.execute(text("DELETE FROM record_indexes WHERE table_id = :t"), {"t": table_id})
        after_commit(session, lambda: _drop(names, table_id))


def _drop(names: list[str], table_id: str) -> None:
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    _known.pop(table_id, None)


if __name__ == "__main__":  # python -m pybase.records.indexes: build what is pending (no queue locally)
    print(json.dumps(build_pending(), indent=1))
