"""The webhook feeder: turns the durable change log into webhook payloads, and queues notifications.

Writers add nothing for webhooks: they append to `change_events` as they already do. `catch_up` reads
each shard of the log after the feeder's cursor for that shard (`webhook_feed_cursor`, a row per
shard, all locked for the pass, so passes never overlap), records each matching event as the next
payload of every webhook of its base, and moves the cursors, all in one transaction: an event becomes
payloads exactly once. A base's events are all in one shard, ordered by that shard's sequence, so a
webhook's payloads keep the order of its base's changes. Sequence values can commit out of order, so a
shard's cursor stops below a missing ID until the event after it is GAP_GRACE old (a rolled-back
transaction's ID never appears).

The scheduled `webhookfeed` function (locally `python -m pybase.webhooks.feed`) runs passes in a loop
and then `queue_notifications`: every webhook with payloads it has not been pinged for gets one SQS
message for the `webhooks` function, which POSTs the notification. The payloads endpoint runs a pass
too before it reads, so a client sees its own changes at once; its pings go out with the feeder's next
loop (the outbox is `webhooks.notified_cursor`).
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pybase.config import get_settings
from pybase.db import session_scope, utcnow
from pybase.events.service import LOG_SHARDS
from pybase.webhooks import payloads
from pybase.webhooks.models import Webhook

log = logging.getLogger("pybase.webhooks.feed")

CURSOR_NAME = "webhooks"
BATCH_EVENTS = 1000
GAP_GRACE = timedelta(seconds=60)
PAYLOAD_RETENTION = timedelta(days=7)  # as Airtable keeps them
IDLE_SLEEP_SECONDS = 0.2
_OTHERS_IN_FLIGHT = (
    "SELECT EXISTS (SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS x WHERE x <> pg_current_xact_id())"
)

Sender = Callable[[list[dict[str, Any]]], None]


def _cursors(session: Session) -> dict[int, int]:
    """Each shard's cursor, locked for the pass. A shard without one starts at the first event a
    webhook of its bases still waits for, or at its end."""
    session.execute(
        text(
            "INSERT INTO webhook_feed_cursor (name, shard, last_id, updated_at) SELECT :n, s, coalesce("
            "(SELECT min(start_event_id) FROM webhooks WHERE pybase_log_shard(base_id) = s), "
            "(SELECT max(id) FROM change_events WHERE shard = s), 0), now() "
            "FROM generate_series(0, CAST(:shards AS int) - 1) AS s ON CONFLICT DO NOTHING"
        ),
        {"n": CURSOR_NAME, "shards": LOG_SHARDS},
    )
    rows = session.execute(
        text("SELECT shard, last_id FROM webhook_feed_cursor WHERE name = :n ORDER BY shard FOR UPDATE"),
        {"n": CURSOR_NAME},
    )
    return {int(n): int(i) for n, i in rows}


def _save(session: Session, cursors: dict[int, int]) -> None:
    session.execute(
        text(
            "UPDATE webhook_feed_cursor c SET last_id = v.i, updated_at = now() "
            "FROM unnest(CAST(:s AS smallint[]), CAST(:i AS bigint[])) AS v(s, i) WHERE c.name = :n AND c.shard = v.s"
        ),
        {"n": CURSOR_NAME, "s": list(cursors), "i": list(cursors.values())},
    )


def _contiguous(
    events: list[dict[str, Any]], floor: int, now: datetime, *, writers_in_flight: bool = True
) -> list[dict[str, Any]]:
    """The events that may be handled now: those up to the first missing ID that is still young.

    With no other transaction in progress, a missing ID can never commit (its transaction rolled back),
    so nothing waits for it."""
    taken: list[dict[str, Any]] = []
    for event in events:
        if writers_in_flight and event["id"] != floor + 1 and event["created_at"] > now - GAP_GRACE:
            break  # an ID below this one may still commit
        taken.append(event)
        floor = event["id"]
    return taken


def catch_up(session: Session, *, now: datetime | None = None, max_batches: int = 20) -> int:
    """One pass over the log in the caller's transaction; returns the number of payloads recorded."""
    now = now or utcnow()
    cursors = _cursors(session)
    if session.scalar(text("SELECT 1 FROM webhooks WHERE is_hook_enabled LIMIT 1")) is None:
        # No webhook to record for: nothing in the log is owed to anyone.
        session.execute(
            text(
                "UPDATE webhook_feed_cursor c SET last_id = greatest(c.last_id, "
                "coalesce((SELECT max(id) FROM change_events e WHERE e.shard = c.shard), 0)), updated_at = now() "
                "WHERE c.name = :n"
            ),
            {"n": CURSOR_NAME},
        )
        return 0
    recorded = 0
    for shard, floor in cursors.items():
        for _ in range(max_batches):
            rows = session.execute(
                text(
                    "SELECT id, type, base_id, table_id, actor_id, payload, created_at FROM change_events"
                    " WHERE shard = :s AND id > :floor ORDER BY id LIMIT :n"
                ),
                {"s": shard, "floor": floor, "n": BATCH_EVENTS},
            ).mappings().all()
            if not rows:
                break
            # Transactions in progress besides this one (any role): one of them may hold a missing ID.
            in_flight = bool(session.scalar(text(_OTHERS_IN_FLIGHT)))
            events = _contiguous([dict(r) for r in rows], floor, now, writers_in_flight=in_flight)
            if not events:
                break
            recorded += _record(session, events, now)
            floor = events[-1]["id"]
            if len(rows) < BATCH_EVENTS:
                break
        cursors[shard] = floor
    _save(session, cursors)
    return recorded


def _record(session: Session, events: list[dict[str, Any]], now: datetime) -> int:
    bases = sorted({e["base_id"] for e in events if e["base_id"] and e["type"] in payloads.KINDS})
    if not bases:
        return 0
    hooks = session.scalars(
        select(Webhook)
        .where(Webhook.base_id.in_(bases), Webhook.is_hook_enabled.is_(True), Webhook.expiration_time > now)
        .order_by(Webhook.id)
        .with_for_update()
    ).all()
    if not hooks:
        return 0
    by_base: dict[str, list[Webhook]] = {}
    for hook in hooks:
        by_base.setdefault(hook.base_id, []).append(hook)
    ctx = payloads.Context(session)
    recorded = 0
    for event in events:
        for hook in by_base.get(event["base_id"] or "", []):
            if event["id"] <= hook.start_event_id:
                continue
            body = payloads.build(ctx, event, hook.specification)
            if body is None:
                continue
            inserted = session.execute(
                text(
                    "INSERT INTO webhook_payloads (webhook_id, cursor, event_id, payload, created_at)"
                    " VALUES (:w, :c, :e, CAST(:p AS jsonb), :at) ON CONFLICT DO NOTHING RETURNING cursor"
                ),
                {"w": hook.id, "c": hook.cursor_for_next_payload, "e": event["id"],
                 "p": json.dumps(body, default=str), "at": now},
            ).first()  # fmt: skip
            if inserted is not None:
                hook.cursor_for_next_payload += 1
                recorded += 1
    session.flush()
    return recorded


def pending_notifications(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Webhooks owed a notification, marked as notified in the caller's transaction: commit only once
    the messages are queued (a failed send rolls back and they are owed again)."""
    now = now or utcnow()
    hooks = session.scalars(
        select(Webhook)
        .where(
            Webhook.is_hook_enabled.is_(True),
            Webhook.are_notifications_enabled.is_(True),
            Webhook.notification_url.is_not(None),
            Webhook.expiration_time > now,
            Webhook.cursor_for_next_payload - 1 > Webhook.notified_cursor,
        )
        .order_by(Webhook.id)
        .with_for_update(skip_locked=True)
    ).all()
    messages = []
    for hook in hooks:
        hook.notified_cursor = hook.cursor_for_next_payload - 1
        messages.append({"webhook_id": hook.id, "base_id": hook.base_id, "cursor": hook.notified_cursor})
    session.flush()
    return messages


def expire_payloads(session: Session, *, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - PAYLOAD_RETENTION
    result = session.execute(text("DELETE FROM webhook_payloads WHERE created_at < :c"), {"c": cutoff})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def step(send: Sender) -> tuple[int, int]:
    """One feeder pass: payloads from the log, then the notifications they call for."""
    with session_scope() as session:
        recorded = catch_up(session)
    with session_scope() as session:
        messages = pending_notifications(session)
        if messages:
            send(messages)
    return recorded, len(messages)


# --- sending to SQS -----------------------------------------------------------------------------


def sqs_sender(queue_name: str | None = None) -> Sender:
    from pybase import storage

    name = queue_name or get_settings().webhook_queue_name

    def send(messages: list[dict[str, Any]]) -> None:
        client = storage.sqs()
        url = storage.queue_url(name)
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
            answer = client.send_message_batch(QueueUrl=url, Entries=entries)
            if answer.get("Failed"):
                raise RuntimeError(f"SQS refused {len(answer['Failed'])} message(s): {answer['Failed'][:2]}")

    return send


def run(send: Sender, *, should_stop: Callable[[], bool], idle_sleep: float = IDLE_SLEEP_SECONDS) -> int:
    """Feed until should_stop(); returns the payloads recorded."""
    total = 0
    last_expiry = 0.0
    while not should_stop():
        try:
            recorded, _ = step(send)
            if time.monotonic() - last_expiry > 3600:
                with session_scope() as session:
                    expire_payloads(session)
                last_expiry = time.monotonic()
        except Exception:
            # Nothing was committed for the failed part: the next pass reads the same events again.
            log.exception("webhook feeder pass failed")
            time.sleep(1.0)
            continue
        total += recorded
        if not recorded:
            time.sleep(idle_sleep)
    return total


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[webhook-feeder] %(asctime)s %(message)s")
    stopping = {"now": False}

    def stop(signum: int, frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("feeding %s", get_settings().webhook_queue_name)
    run(sqs_sender(), should_stop=lambda: stopping["now"])


if __name__ == "__main__":
    main()
