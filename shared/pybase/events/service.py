"""Change events: appended in the writer's transaction, published after it commits.

Publishers (the Redis relay) are registered when a function starts (pybase.startup); with none
registered, or with Redis down, the event is still in the log for replay and the write is unaffected.

The log is split into LOG_SHARDS shards by base (by workspace for an event outside any base): each
shard draws its IDs from a sequence of its own (`change_events_s<n>_id`), so no sequence is shared by
all tables, and a sharded database can keep a shard with its bases. An event's ID orders it within
its shard, so within its base and its tables (what realtime replay reads); readers of the whole log
keep one cursor per shard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pybase.db import after_commit, utcnow

Publisher = Callable[[list[dict[str, Any]]], None]
# Fixed: existing events and every reader's cursors are keyed by it (changing it takes a migration).
LOG_SHARDS = 16
# Column order of an event row, for writers that insert it inside a larger statement (see logged()):
# the first two values come from key_values(shard).
COLUMNS = "shard, id, workspace_id, base_id, table_id, type, actor_id, payload, created_at"


def log_shard(workspace_id: str, base_id: str | None) -> int:
    """The log shard of an event: a hash of its base (its workspace when it has none). The database
    computes the same with pybase_log_shard() (migration 0064)."""
    return int(hashlib.md5((base_id or workspace_id).encode()).hexdigest()[:7], 16) % LOG_SHARDS


def key_values(shard: int) -> str:
    """SQL for an event's (shard, id) values: the shard and the next ID of the shard's own sequence."""
    return f"{int(shard)}, nextval('change_events_s{int(shard)}_id')"


_INSERTS = [
    f"INSERT INTO change_events ({COLUMNS}) VALUES ({key_values(n)}, %s, %s, %s, %s, %s, %s::jsonb, %s) RETURNING id"
    for n in range(LOG_SHARDS)
]
_publishers: list[Publisher] = []


def register_publisher(publisher: Publisher) -> None:
    if publisher not in _publishers:
        _publishers.append(publisher)


def unregister_publisher(publisher: Publisher) -> None:
    if publisher in _publishers:
        _publishers.remove(publisher)


def emit(
    session: Session,
    *,
    type: str,
    workspace_id: str,
    base_id: str | None = None,
    table_id: str | None = None,
    actor_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append one event to the log in the current transaction; returns its ID (ordered in its shard)."""
    # Every write calls this: plain SQL on the session's connection costs a fraction of building
    # and compiling an ORM insert. Flushing first keeps the ORM's order of writes.
    if table_id is not None and base_id is None:
        # A table's events must share its base's shard, or its replay would mix two orders.
        raise ValueError("an event of a table names its base")
    session.flush()
    values = (workspace_id, base_id, table_id, type, actor_id, json.dumps(payload or {}), utcnow())
    raw = session.connection().connection.driver_connection
    event_id = raw.execute(_INSERTS[log_shard(workspace_id, base_id)], values).fetchone()[0]
    logged(
        session,
        event_id=event_id,
        type=type,
        workspace_id=workspace_id,
        base_id=base_id,
        table_id=table_id,
        actor_id=actor_id,
        payload=payload,
    )
    return event_id


def logged(
    session: Session,
    *,
    event_id: int,
    type: str,
    workspace_id: str,
    base_id: str | None,
    table_id: str | None,
    actor_id: str | None,
    payload: dict[str, Any] | None,
) -> None:
    """Publish, after commit, an event row the caller inserted itself in this transaction (in the
    same statement as the change it describes, to save a round trip); emit() does both."""
    pending = session.info.get("pending_events")
    if pending is None:
        pending = session.info["pending_events"] = []
        after_commit(session, lambda: _publish(session.info.pop("pending_events", [])))
    pending.append(
        {
            "shard": log_shard(workspace_id, base_id),
            "id": event_id,
            "type": type,
            "workspace_id": workspace_id,
            "base_id": base_id,
            "table_id": table_id,
            "actor_id": actor_id,
            "payload": payload or {},
        }
    )


def _publish(events: list[dict[str, Any]]) -> None:
    if not events:
        return
    for publisher in list(_publishers):
        publisher(events)
