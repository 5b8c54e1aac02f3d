"""Indexing operations: what the `index` function does with each message, and full reindexes.

Every operation reads the current state of the database (never the change it was told about), so a
message delivered twice, late or out of order leaves the same documents: records that are live get
their document rebuilt, records that are gone or in the trash lose it, tables in the trash or deleted
lose all of theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.bases.models import AppBase
from pybase.search import documents
from pybase.search.backends.base import SearchBackend
from pybase.workspaces.models import Workspace

REINDEX_CHUNK = 5000


def index_records(session: Session, backend: SearchBackend, *, table_id: str, record_ids: list[str]) -> dict[str, int]:
    info = documents.table_info(session, table_id)
    if info is None:
        backend.delete_table(session, workspace_id=None, table_id=table_id)
        return {"deleted_table": 1}
    written = backend.index_where(session, info, "id = ANY(%(ids)s)", {"ids": record_ids})
    gone = sorted(set(record_ids) - written)
    backend.delete_records(session, workspace_id=info.workspace_id, table_id=table_id, record_ids=gone)
    return {"indexed": len(written), "deleted": len(gone)}


def index_table(
    session: Session, backend: SearchBackend, *, table_id: str, commit: Callable[[], None] | None = None
) -> dict[str, int]:
    """Rebuild every document of a table (or drop them when the table is gone or in the trash).

    `commit` (the reindex command passes one) ends a transaction after each chunk, so a large table
    does not hold one transaction open; the index function runs it in one transaction instead.
    """
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
        if commit is not None:
            commit()
            raw = session.connection().connection.driver_connection
    backend.after_reindex(session, info)
    backend.delete_stale(session, workspace_id=info.workspace_id, table_id=table_id, marker=marker)
    return {"indexed": count}


def index_base(
    session: Session, backend: SearchBackend, *, base_id: str, workspace_id: str | None = None,
    commit: Callable[[], None] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Reindex every table of a base; a deleted base loses its documents."""
    from pybase.tables.models import Table

    base = session.get(AppBase, base_id)
    if base is None:
        backend.delete_base(session, workspace_id=workspace_id, base_id=base_id)
        return {"deleted_base": 1}
    total = 0
    for (table_id,) in session.execute(select(Table.id).where(Table.base_id == base_id)).all():
        total += index_table(session, backend, table_id=table_id, commit=commit).get("indexed", 0)
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
