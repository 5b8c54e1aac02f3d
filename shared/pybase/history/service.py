"""Record history: written by the records service in the writer's transaction; read per record."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.errors import BadRequest
from pybase.history.models import RecordHistory

MAX_VALUE_BYTES = 2_000
# Column order of a history row, for writers that insert it inside a larger statement.
COLUMNS = "table_id, record_id, version, action, actor_id, changes, created_at"


def _small(value: Any) -> Any:
    """History keeps values, but truncates huge ones (a long text pasted in) to bound row size."""
    if value is None or isinstance(value, bool | int | float):
        return value
    encoded = json.dumps(value, default=str)
    if len(encoded) <= MAX_VALUE_BYTES:
        return value
    return {"truncated": True, "preview": encoded[:MAX_VALUE_BYTES]}


def record_entries(
    session: Session,
    *,
    table_id: str,
    actor_id: str | None,
    at: datetime,
    entries: list[tuple[str, int, str, dict[str, Any]]],
) -> None:
    """Append (record_id, the version the change made, action, {field_id: {"from", "to"}}) entries
    in one round trip."""
    if not entries:
        return
    rows = [
        (table_id, record_id, version, action, actor_id, encode_changes(changes), at)
        for record_id, version, action, changes in entries
    ]
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.executemany(f"INSERT INTO record_history ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s)", rows)


def encode_changes(changes: dict[str, Any]) -> str:
    """{field_id: {"from", "to"}} as the JSON stored in a history row (huge values truncated)."""
    return json.dumps({fid: {"from": _small(c["from"]), "to": _small(c["to"])} for fid, c in changes.items()})


def list_entries(
    session: Session, *, table_id: str, record_id: str, limit: int = 100, before: int | None = None
) -> list[RecordHistory]:
    if not 1 <= limit <= 1000:
        raise BadRequest("limit is from 1 to 1,000.")
    query = (
        select(RecordHistory)
        .where(RecordHistory.table_id == table_id, RecordHistory.record_id == record_id)
        .order_by(RecordHistory.version.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(RecordHistory.version < before)
    return list(session.scalars(query))
