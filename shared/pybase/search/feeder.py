"""The indexer feeder: reads the durable change log after a cursor of its own and sends the IDs of
changed tables and records to the indexing queue. Nothing is added to the write path: writers only
append to `change_events` as they already do, and search catches up from the log.

Identity values can commit out of order (a long transaction holds a lower ID than one that commits
before it), so the cursor stops below the first gap and a gap is skipped only once it is older than
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


class Feeder:
    def __init__(self, send: Sender, *, name: str = CURSOR_NAME, gap_grace: float = GAP_GRACE_SECONDS) -> None:
        self.send = send
        self.name = name
        self.gap_grace = gap_grace
        self.floor: int | None = None  # every event ID <= floor is handled
        self.sent: set[int] = set()  # IDs above the floor already handled
        self.gaps_seen: dict[int, float] = {}  # missing ID -> when it was first noticed

    def _load(self, conn: Connection, start_at_end: bool) -> int:
        row = conn.execute(text("SELECT last_id FROM search_cursor WHERE name = :n"), {"n": self.name}).first()
        if row is not None:
            return int(row[0])
        start = 0
        if start_at_end:
            start = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM change_events")).scalar_one())
        conn.execute(
            text("INSERT INTO search_cursor (name, last_id, updated_at) VALUES (:n, :i, now()) ON CONFLICT DO NOTHING"),
            {"n": self.name, "i": start},
        )
        conn.commit()
        return start

    def poll(self, conn: Connection, *, start_at_end: bool = False) -> int:
        """Read new events once, send their messages, advance the cursor; returns events handled."""
        if self.floor is None:
            self.floor = self._load(conn, start_at_end)
        rows = conn.execute(
            text(
                "SELECT id, type, workspace_id, base_id, table_id, payload FROM change_events"
                " WHERE id > :floor ORDER BY id LIMIT :n"
            ),
            {"floor": self.floor, "n": BATCH_EVENTS},
        ).mappings().all()
        fresh = [dict(r) for r in rows if r["id"] not in self.sent]
        messages: list[Message] = []
        for event in fresh:
            handler = EVENT_MESSAGES.get(event["type"])
            if handler is not None:
                messages.extend(handler(event, conn))
        conn.rollback()  # end the read transaction before the (slow) sends
        if messages:
            self.send(coalesce(messages))
        self.sent.update(e["id"] for e in fresh)
        self._advance()
        conn.execute(
            text("UPDATE search_cursor SET last_id = :i, updated_at = now() WHERE name = :n AND last_id < :i"),
            {"n": self.name, "i": self.floor},
        )
        conn.commit()
        return len(fresh)

    def _advance(self) -> None:
        assert self.floor is not None
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
            if now - first_seen < self.gap_grace:
                break
            self.gaps_seen.pop(nxt, None)
            self.floor = nxt


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
                    feeder.sent.clear()
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
