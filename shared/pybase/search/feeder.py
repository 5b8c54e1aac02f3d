"""The indexer feeder: reads the durable change log after a cursor of its own and sends the IDs of
changed tables and records to the indexing queue. Nothing is added to the write path: writers only
append to `change_events` as they already do, and search catches up from the log.

The log has shards, each ordered by IDs from its own sequence (pybase.events.service), so the feeder
keeps a cursor per shard (`search_cursor`, a row per shard) and reads every shard past its own.
Sequence values can commit out of order (a long transaction holds a lower ID than one that commits
before it), so a shard's cursor stops below its first gap and a gap is skipped only once it is older than
GAP_GRACE_SECONDS (a rolled-back transaction's ID never appears). Events above the cursor may be sent
twice after a restart: indexing is idempotent.

Locally `python -m pybase.search.feeder` runs it (`make dev` starts it); on AWS the scheduled
`indexfeed` function does, one run at a time (a PostgreSQL advisory lock).
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, text

from pybase.config import get_settings
from pybase.db import get_engine
from pybase.events.service import LOG_SHARDS

log = logging.getLogger("pybase.search.feeder")

CURSOR_NAME = "search"
BATCH_EVENTS = 1000
MAX_IDS_PER_MESSAGE = 1000
GAP_GRACE_SECONDS = 60.0
IDLE_SLEEP_SECONDS = 0.1
LOCK_KEY = 0x5EA2C4  # pg_advisory_lock key of the feeder (one reader of the log at a time)

Message = dict[str, Any]
Sender = Callable[[list[Message]], None]


# --- which events mean which indexing work ------------------------------------------------------


def _records(event: dict[str, Any], conn: Connection) -> list[Message]:
    payload = event["payload"] or {}
    # Link changes touch no stored value of the linking records (links live in their own table).
    if payload.get("reason") == "links" or not event["table_id"]:
        return []
    ids = [str(i) for i in payload.get("record_ids") or []]
    return [{"op": "records", "table_id": event["table_id"], "record_ids": ids}] if ids else []


def _table(event: dict[str, Any], conn: Connection) -> list[Message]:
    return [{"op": "table", "table_id": event["table_id"]}] if event["table_id"] else []


def _field_updated(event: dict[str, Any], conn: Connection) -> list[Message]:
    # Documents key values by field ID: a rename or a new description changes no document.
    changed = set((event["payload"] or {}).get("changed") or [])
    return _table(event, conn) if changed - {"name", "description"} else []


def _base(event: dict[str, Any], conn: Connection) -> list[Message]:
    return [{"op": "base", "base_id": event["base_id"], "workspace_id": event["workspace_id"]}]


def _workspace(event: dict[str, Any], conn: Connection) -> list[Message]:
    return [{"op": "workspace", "workspace_id": event["workspace_id"]}]


def _job(event: dict[str, Any], conn: Connection) -> list[Message]:
    payload = event["payload"] or {}
    if payload.get("status") != "done" or not payload.get("attachment_id"):
        return []
    row = conn.execute(
        text("SELECT table_id, record_id FROM attachments WHERE id = :id"), {"id": payload["attachment_id"]}
    ).first()
    return [{"op": "records", "table_id": row[0], "record_ids": [row[1]]}] if row else []


EVENT_MESSAGES: dict[str, Callable[[dict[str, Any], Connection], list[Message]]] = {
    "records.created": _records,
    "records.updated": _records,
    "records.deleted": _records,
    "records.restored": _records,
    "table.imported": _table,
    "table.deleted": _table,
    "table.restored": _table,
    "table.purged": _table,
    "field.updated": _field_updated,
    "field.deleted": _table,
    "field.restored": _table,
    "field.purged": _table,
    "base.deleted": _base,
    "workspace.deleted": _workspace,
    "job.updated": _job,
}


def coalesce(messages: Iterable[Message]) -> list[Message]:
    """One message per table (a whole-table reindex absorbs its record messages), IDs deduplicated."""
    tables: dict[str, set[str] | None] = {}
    others: list[Message] = []
    seen_others: set[str] = set()
    for m in messages:
        if m["op"] == "table":
            tables[m["table_id"]] = None
        elif m["op"] == "records":
            current = tables.setdefault(m["table_id"], set())
            if current is not None:
                current.update(m["record_ids"])
        else:
            key = json.dumps(m, sort_keys=True)
            if key not in seen_others:
                seen_others.add(key)
                others.append(m)
    out: list[Message] = []
    for table_id, ids in tables.items():
        if ids is None:
            out.append({"op": "table", "table_id": table_id})
            continue
        ordered = sorted(ids)
        for start in range(0, len(ordered), MAX_IDS_PER_MESSAGE):
            chunk = ordered[start : start + MAX_IDS_PER_MESSAGE]
            out.append({"op": "records", "table_id": table_id, "record_ids": chunk})
    return out + others


# --- the cursor -----------------------------------------------------------------------------------


class _ShardCursor:
    def __init__(self, floor: int) -> None:
        self.floor = floor  # every event ID of the shard <= floor is handled
        self.sent: set[int] = set()  # IDs above the floor already handled
        self.gaps_seen: dict[int, float] = {}  # missing ID -> when it was first noticed

    def advance(self, gap_grace: float) -> None:
        now = time.monotonic()
        while self.sent:
            nxt = self.floor + 1
            if nxt in self.sent:
                self.sent.discard(nxt)
                self.floor = nxt
                self.gaps_seen.pop(nxt, None)
                continue
            # A missing ID below a handled one: an open transaction, or one that rolled back.
            first_seen = self.gaps_seen.setdefault(nxt, now)
            if now - first_seen < gap_grace:
                break
            self.gaps_seen.pop(nxt, None)
            self.floor = nxt


# Every shard read past its own cursor, BATCH_EVENTS at most each, in one statement.
_READ = text(
    "SELECT e.shard, e.id, e.type, e.workspace_id, e.base_id, e.table_id, e.payload "
    "FROM unnest(CAST(:shards AS smallint[]), CAST(:floors AS bigint[])) AS c(shard, floor) "
    "CROSS JOIN LATERAL (SELECT * FROM change_events x WHERE x.shard = c.shard AND x.id > c.floor "
    "ORDER BY x.id LIMIT :n) e ORDER BY e.shard, e.id"
)
_TOPS = (
    "SELECT s, coalesce((SELECT max(id) FROM change_events WHERE shard = s), 0) "
    "FROM generate_series(0, CAST(:shards AS int) - 1) AS s"
)


class Feeder:
    def __init__(self, send: Sender, *, name: str = CURSOR_NAME, gap_grace: float = GAP_GRACE_SECONDS) -> None:
        self.send = send
        self.name = name
        self.gap_grace = gap_grace
        self.shards: dict[int, _ShardCursor] | None = None

    def _load(self, conn: Connection, start_at_end: bool) -> dict[int, _ShardCursor]:
        def saved() -> dict[int, int]:
            rows = conn.execute(text("SELECT shard, last_id FROM search_cursor WHERE name = :n"), {"n": self.name})
            return {int(n): int(i) for n, i in rows}

        floors = saved()
        if len(floors) < LOG_SHARDS:
            if start_at_end:
                starts = {int(n): int(i) for n, i in conn.execute(text(_TOPS), {"shards": LOG_SHARDS})}
            else:
                starts = dict.fromkeys(range(LOG_SHARDS), 0)
            missing = sorted(set(range(LOG_SHARDS)) - set(floors))
            conn.execute(
                text(
                    "INSERT INTO search_cursor (name, shard, last_id, updated_at) SELECT :n, s, i, now() "
                    "FROM unnest(CAST(:s AS smallint[]), CAST(:i AS bigint[])) AS v(s, i) ON CONFLICT DO NOTHING"
                ),
                {"n": self.name, "s": missing, "i": [starts[m] for m in missing]},
            )
            conn.commit()
            floors = saved()
        return {n: _ShardCursor(floor) for n, floor in floors.items()}

    def reset(self) -> None:
        """Forget what was handled above the cursors (after a failed poll: it is read again)."""
        for shard in (self.shards or {}).values():
            shard.sent.clear()

    def poll(self, conn: Connection, *, start_at_end: bool = False) -> int:
        """Read new events once, send their messages, advance the cursors; returns events handled."""
        if self.shards is None:
            self.shards = self._load(conn, start_at_end)
        shards = self.shards
        rows = conn.execute(
            _READ, {"shards": list(shards), "floors": [c.floor for c in shards.values()], "n": BATCH_EVENTS}
        ).mappings().all()
        fresh = [dict(r) for r in rows if r["id"] not in shards[r["shard"]].sent]
        messages: list[Message] = []
        for event in fresh:
            handler = EVENT_MESSAGES.get(event["type"])
            if handler is not None:
                messages.extend(handler(event, conn))
        conn.rollback()  # end the read transaction before the (slow) sends
        if messages:
            self.send(coalesce(messages))
        for event in fresh:
            shards[event["shard"]].sent.add(event["id"])
        for shard in shards.values():
            shard.advance(self.gap_grace)
        conn.execute(
            text(
                "UPDATE search_cursor c SET last_id = v.i, updated_at = now() "
                "FROM unnest(CAST(:s AS smallint[]), CAST(:i AS bigint[])) AS v(s, i) "
                "WHERE c.name = :n AND c.shard = v.s AND c.last_id < v.i"
            ),
            {"n": self.name, "s": list(shards), "i": [c.floor for c in shards.values()]},
        )
        conn.commit()
        return len(fresh)


# --- sending to SQS -----------------------------------------------------------------------------


def sqs_sender(queue_name: str | None = None) -> Sender:
    from pybase import storage

    name = queue_name or get_settings().index_queue_name

    def send(messages: list[Message]) -> None:
        client = storage.sqs()
        url = storage.queue_url(name)
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
            answer = client.send_message_batch(QueueUrl=url, Entries=entries)
            if answer.get("Failed"):
                raise RuntimeError(f"SQS refused {len(answer['Failed'])} message(s): {answer['Failed'][:2]}")

    return send


def run(
    send: Sender, *, should_stop: Callable[[], bool], name: str = CURSOR_NAME, start_at_end: bool = False,
    idle_sleep: float = IDLE_SLEEP_SECONDS,
) -> int:  # fmt: skip
    """Feed until should_stop(); waits for the advisory lock while another feeder holds it."""
    feeder = Feeder(send, name=name)
    handled = 0
    with get_engine().connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar_one():
            conn.commit()
            if should_stop():
                return 0
            time.sleep(0.5)
        conn.commit()
        try:
            while not should_stop():
                try:
                    count = feeder.poll(conn, start_at_end=start_at_end)
                except Exception:
                    # The cursor did not move: the same events are read again on the next poll.
                    log.exception("search feeder poll failed")
                    conn.rollback()
                    feeder.reset()
                    time.sleep(1.0)
                    continue
                handled += count
                if count < BATCH_EVENTS:
                    time.sleep(idle_sleep)
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            conn.commit()
    return handled


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[search-feeder] %(asctime)s %(message)s")
    stopping = {"now": False}

    def stop(signum: int, frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("feeding %s", get_settings().index_queue_name)
    run(sqs_sender(), should_stop=lambda: stopping["now"])


if __name__ == "__main__":
    main()
