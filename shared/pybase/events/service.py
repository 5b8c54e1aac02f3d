"""Change events: appended in the writer's transaction, published after it commits.

Publishers (the Redis relay) are registered when a function starts (pybase.startup); with none
registered, or with Redis down, the event is still in the log for replay and the write is unaffected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pybase.db import after_commit, utcnow

Publisher = Callable[[list[dict[str, Any]]], None]
# Column order of an event row, for writers that insert it inside a larger statement (see logged()).
COLUMNS = "workspace_id, base_id, table_id, type, actor_id, payload, created_at"
_INSERT = f"INSERT INTO change_events ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s) RETURNING id"
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
    """Append one event to the log in the current transaction; returns its ordered ID."""
    # Every write calls this: plain SQL on the session's connection costs a fraction of building
    # and compiling an ORM insert. Flushing first keeps the ORM's order of writes.
    session.flush()
    event_id = (
        session.connection()
        .connection.driver_connection.execute(
            _INSERT, (workspace_id, base_id, table_id, type, actor_id, json.dumps(payload or {}), utcnow())
        )
        .fetchone()[0]
    )
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
