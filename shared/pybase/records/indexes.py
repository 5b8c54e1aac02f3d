"""Expression indexes on `records`, created on demand and recorded in `record_indexes`.

Each index is built on the table's own partition of `records` and is partial (`WHERE deleted_at
IS NULL`), so it holds one table's live rows, and its expression is exactly the one the query
compiler emits (PERF-NOTES: casts must match). Indexes are built with CREATE INDEX CONCURRENTLY on a separate autocommit
connection, never inside a request's transaction (a concurrent build waits for every open
transaction, which would include the caller's own).

When they are built:
- explicitly: a field marked `indexed`, or a view saved with filters/sorts
  (`ensure_indexes(..., wait=True)`, called by the fields and views services);
- automatically: when a listing filters or sorts by a field of a table with at least
  PYBASE_AUTO_INDEX_MIN_ROWS live records (default 10,000), right after that request commits.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pybase.db import after_commit, get_engine
from pybase.fields.registry import get_field_type
from pybase.logs import logger
from pybase.records.partitions import partition_name

_CACHE_TTL = 30.0
_known: dict[str, tuple[float, set[str]]] = {}
# Tables found too small for automatic indexes, and until when that answer is trusted.
_small_until: dict[str, float] = {}


def auto_index_min_rows() -> int:
    return int(os.environ.get("PYBASE_AUTO_INDEX_MIN_ROWS", "10000"))


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


def existing(session: Session, table_id: str) -> set[str]:
    cached = _known.get(table_id)
    if cached is not None and time.monotonic() - cached[0] < _CACHE_TTL:
        return cached[1]
    names = set(session.scalars(text("SELECT name FROM record_indexes WHERE table_id = :t"), {"t": table_id}))
    _known[table_id] = (time.monotonic(), names)
    return names


def _live_rows_at_least(session: Session, table_id: str, threshold: int) -> bool:
    found = session.scalar(
        text("SELECT count(*) FROM (SELECT 1 FROM records WHERE table_id = :t AND deleted_at IS NULL LIMIT :n) AS s"),
        {"t": table_id, "n": threshold},
    )
    return (found or 0) >= threshold


def ensure_indexes(session: Session, *, table_id: str, wanted: list[tuple[Any, str]], wait: bool = False) -> list[str]:
    """Make sure the indexes for `wanted` exist; returns the names of those it will build.

    With wait=True they are built after the caller's transaction commits (always); otherwise only
    when the table is big enough for an index to matter.
    """
    have = existing(session, table_id)
    missing: list[tuple[str, str, str, str]] = []
    for field, kind in wanted:
        expression = get_field_type(field.type).index_expression(field, kind)
        if expression is None:
            continue
        name = index_name(table_id, kind, expression)
        if name not in have and all(name != m[0] for m in missing):
            missing.append((name, field.id, kind, expression))
    if not missing:
        return []
    if not wait:
        if _small_until.get(table_id, 0.0) > time.monotonic():
            return []
        if not _live_rows_at_least(session, table_id, auto_index_min_rows()):
            _small_until[table_id] = time.monotonic() + _CACHE_TTL
            return []
    after_commit(session, lambda: build_indexes(table_id, missing))
    return [m[0] for m in missing]


def build_indexes(table_id: str, specs: list[tuple[str, str, str, str]]) -> None:
    """Build indexes concurrently on an autocommit connection, then register them."""
    engine = get_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name, field_id, kind, expression in specs:
            started = time.perf_counter()
            try:
                conn.exec_driver_sql(ddl(table_id, kind, expression, name))
                conn.execute(
                    text(
                        "INSERT INTO record_indexes (name, table_id, field_id, kind, expression, created_at) "
                        "VALUES (:n, :t, :f, :k, :e, now()) ON CONFLICT (name) DO NOTHING"
                    ),
                    {"n": name, "t": table_id, "f": field_id, "k": kind, "e": expression},
                )
                logger.info(
                    "record index built",
                    extra={"index": name, "kind": kind, "ms": round((time.perf_counter() - started) * 1000)},
                )
            except Exception:
                # A failed concurrent build leaves an INVALID index behind; drop it so a later try can rebuild.
                logger.exception("record index build failed", extra={"index": name})
                try:
                    conn.exec_driver_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
                except Exception:
                    logger.exception("dropping the failed index failed", extra={"index": name})
        # Statistics on the new expressions let the planner tell a common term from a rare one
        # (without them it guesses, and may pick a bitmap scan over 100,000 rows). ANALYZE samples
        # a fixed number of rows, so this stays about a second even on a very large table.
        try:
            conn.exec_driver_sql(f'ANALYZE "{partition_name(table_id)}"')
        except Exception:
            logger.exception("analyze after index build failed")
    _known.pop(table_id, None)


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
