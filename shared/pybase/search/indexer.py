"""Indexing operations: what the `index` function does with each message, and full reindexes.

Every operation reads the current state of the database (never the change it was told about), so a
message delivered twice, late or out of order leaves the same documents: records that are live get
their document rebuilt, records that are gone or in the trash lose it, tables in the trash or deleted
lose all of theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.bases.models import AppBase
from pybase.search import documents
from pybase.search.backends.base import SearchBackend
from pybase.workspaces.models import Workspace

REINDEX_CHUNK = 5000
# Connections a whole-table rebuild uses at once. The documents are built inside PostgreSQL
# (to_tsvector, the GIN index), one server process per connection, so two connections keep both cores
# of a two-core machine busy: at 1,000,000 records on an idle 2-core machine, 15,400 records/s with
# one and the figure in the README's search benchmark with two.
REBUILD_WORKERS = 2


def index_records(session: Session, backend: SearchBackend, *, table_id: str, record_ids: list[str]) -> dict[str, int]:
    info = documents.table_info(session, table_id)
    if info is None:
        backend.delete_table(session, workspace_id=None, table_id=table_id)
        return {"deleted_table": 1}
    written = backend.index_where(session, info, "id = ANY(%(ids)s)", {"ids": record_ids})
    gone = sorted(set(record_ids) - written)
    backend.delete_records(session, workspace_id=info.workspace_id, table_id=table_id, record_ids=gone)
    return {"indexed": len(written), "deleted": len(gone)}


def index_table(session: Session, backend: SearchBackend, *, table_id: str) -> dict[str, int]:
    """Rebuild every document of a table (or drop them when the table is gone or in the trash), in the
    session's transaction (the index function; the reindex command uses rebuild_table)."""
    info = documents.table_info(session, table_id)
    if info is None:
        backend.delete_table(session, workspace_id=None, table_id=table_id)
        return {"deleted_table": 1}
    marker = backend.reindex_marker(session)
    raw = session.connection().connection.driver_connection
    count = 0
    last_seq = -1
    while True:
        # Keyset batches by seq: the bounds first (from the (table_id, seq) index), then the documents
        # of that range, so each batch is one short statement whatever the table's size.
        upto = raw.execute(
            "SELECT max(seq) FROM (SELECT seq FROM records WHERE table_id = %s AND deleted_at IS NULL AND seq > %s"
            " ORDER BY seq LIMIT %s) AS s",
            (table_id, last_seq, REINDEX_CHUNK),
        ).fetchone()[0]
        if upto is None:
            break
        written = backend.index_where(
            session, info, "seq > %(after)s AND seq <= %(upto)s", {"after": last_seq, "upto": upto}, words=False
        )
        last_seq = upto
        count += len(written)
    backend.after_reindex(session, info)
    backend.delete_stale(session, workspace_id=info.workspace_id, table_id=table_id, marker=marker)
    return {"indexed": count}


def _chunk_bounds(session: Session, table_id: str) -> list[int]:
    """Every REINDEX_CHUNK-th live seq of the table, in order: the upper bounds of the rebuild's chunks
    (one pass over the (table_id, seq) index)."""
    raw = session.connection().connection.driver_connection
    rows = raw.execute(
        "SELECT seq FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM records"
        " WHERE table_id = %s AND deleted_at IS NULL) AS s WHERE n %% %s = 0 ORDER BY seq",
        (table_id, REINDEX_CHUNK),
    ).fetchall()
    return [r[0] for r in rows]


def rebuild_table(
    open_session: Callable[[], Session], backend: SearchBackend, *, table_id: str, workers: int = REBUILD_WORKERS
) -> dict[str, int]:
    """Rebuild every document of a table over `workers` connections at once, each chunk of records
    committed on its own (the reindex command; the index function uses index_table, one transaction).

    The chunks are seq ranges fixed before the rebuild starts; the last one is open-ended, so records
    created meanwhile are written too. Documents not rewritten since the rebuild began (records gone
    meanwhile) are dropped at the end, as index_table does.
    """
    session = open_session()
    try:
        info = documents.table_info(session, table_id)
        if info is None:
            backend.delete_table(session, workspace_id=None, table_id=table_id)
            session.commit()
            return {"deleted_table": 1}
        marker = backend.reindex_marker(session)
        bounds = _chunk_bounds(session, table_id)
        session.commit()
    finally:
        session.close()
    # (after, upto]: upto None is the open-ended last chunk.
    chunks: list[tuple[int, int | None]] = list(zip([-1, *bounds], [*bounds, None], strict=True))
    workers = max(1, min(workers, len(chunks)))

    def run(part: int) -> int:
        # Each worker its own session and its own copy of the table's fields (ORM objects are not
        # shared between sessions); chunks part, part + workers, ... so the work stays even.
        s = open_session()
        try:
            mine = documents.table_info(s, table_id)
            if mine is None:
                return 0
            count = 0
            for after, upto in chunks[part::workers]:
                where = "seq > %(after)s" + ("" if upto is None else " AND seq <= %(upto)s")
                count += len(backend.index_where(s, mine, where, {"after": after, "upto": upto}, words=False))
                s.commit()
            return count
        finally:
            s.close()

    def words(part: int) -> None:
        # Only once every chunk is written: a shard holds documents any worker wrote.
        s = open_session()
        try:
            mine = documents.table_info(s, table_id)
            if mine is not None:
                backend.after_reindex(s, mine, shard=(part, workers))
                s.commit()
        finally:
            s.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        count = sum(pool.map(run, range(workers)))
        list(pool.map(words, range(workers)))
    session = open_session()
    try:
        backend.delete_stale(session, workspace_id=info.workspace_id, table_id=table_id, marker=marker)
        session.commit()
    finally:
        session.close()
    return {"indexed": count}


def rebuild_base(
    open_session: Callable[[], Session], backend: SearchBackend, *, base_id: str, workers: int = REBUILD_WORKERS
) -> dict[str, int]:
    """rebuild_table for every table of a base; a deleted base loses its documents."""
    from pybase.tables.models import Table

    session = open_session()
    try:
        if session.get(AppBase, base_id) is None:
            backend.delete_base(session, workspace_id=None, base_id=base_id)
            session.commit()
            return {"deleted_base": 1}
        table_ids = session.execute(select(Table.id).where(Table.base_id == base_id)).scalars().all()
    finally:
        session.close()
    total = 0
    for table_id in table_ids:
        total += rebuild_table(open_session, backend, table_id=table_id, workers=workers).get("indexed", 0)
    return {"indexed": total}


def index_base(
    session: Session, backend: SearchBackend, *, base_id: str, workspace_id: str | None = None
) -> dict[str, int]:
    """Reindex every table of a base; a deleted base loses its documents."""
    from pybase.tables.models import Table

    base = session.get(AppBase, base_id)
    if base is None:
        backend.delete_base(session, workspace_id=workspace_id, base_id=base_id)
        return {"deleted_base": 1}
    total = 0
    for (table_id,) in session.execute(select(Table.id).where(Table.base_id == base_id)).all():
        total += index_table(session, backend, table_id=table_id).get("indexed", 0)
    return {"indexed": total}


def drop_workspace(session: Session, backend: SearchBackend, *, workspace_id: str) -> dict[str, int]:
    if session.get(Workspace, workspace_id) is not None:
        return {"kept": 1}
    backend.delete_workspace(session, workspace_id=workspace_id)
    return {"deleted_workspace": 1}


# Message "op" -> operation; the indexer feeder writes these messages (pybase.search.feeder).
Operation = Callable[[Session, SearchBackend, dict[str, Any]], dict[str, int]]
OPERATIONS: dict[str, Operation] = {
    "records": lambda s, b, m: index_records(s, b, table_id=m["table_id"], record_ids=list(m["record_ids"])),
    "table": lambda s, b, m: index_table(s, b, table_id=m["table_id"]),
    "base": lambda s, b, m: index_base(s, b, base_id=m["base_id"], workspace_id=m.get("workspace_id")),
    "workspace": lambda s, b, m: drop_workspace(s, b, workspace_id=m["workspace_id"]),
}


class BadMessage(ValueError):
    """A message no retry can process (unknown op, missing keys): acknowledged and logged."""


def apply(session: Session, backend: SearchBackend, message: dict[str, Any]) -> dict[str, int]:
    operation = OPERATIONS.get(str(message.get("op")))
    if operation is None:
        raise BadMessage(f"unknown op {message.get('op')!r}")
    try:
        return operation(session, backend, message)
    except KeyError as exc:
        raise BadMessage(f"message lacks {exc}") from None
