"""The relay: committed change events -> Redis stream -> WebSocket subscribers.

Why a stream and a separate consumer rather than posting from the writer's process: the after-commit
hook only appends the events to a Redis stream (one pipelined round trip, well under a millisecond),
so the HTTP response of the write never waits for fan-out to a hundred clients, and it keeps working
inside Lambda, where threads left running after the response are frozen. One consumer reads the
stream in order and delivers with a bounded thread pool, batching a burst of events into one frame per
connection. The consumer is
  - locally: `python -m pybase.realtime.relay` (started by `make dev` next to serverless offline);
  - in AWS: the `relay` function (functions/relay/handler.py), started every minute by a schedule;
    each run holds a Redis lock and consumes until shortly before its timeout, and the next run takes
    over when the lock is released, so exactly one consumer runs at a time.
If Redis is down, publish() logs and skips (for a few seconds, so writes do not each wait on a dead
server); the events stay in the PostgreSQL log and clients get them by replay when they resubscribe.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis

from pybase.logs import logger
from pybase.redis_client import get_redis, rkey

GROUP = "relay"
CONSUMER = "relay"  # one name: after a crash the next consumer re-reads the unacknowledged entries
STREAM_MAXLEN = 100_000
LOCK_TTL_MS = 15_000
RENEW_SECONDS = 1.0
BREAKER_SECONDS = 5.0

_breaker_until = 0.0
_group_ready: set[str] = set()


def stream_key() -> str:
    return rkey("ws", "events")


def _lock_key() -> str:
    return rkey("ws", "relay", "lock")


def ensure_group(r: redis.Redis) -> None:
    key = stream_key()
    if key in _group_ready:
        return
    try:
        r.xgroup_create(key, GROUP, id="$", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    _group_ready.add(key)


def publish(events: list[dict[str, Any]]) -> None:
    """The events.service publisher: runs after the write commits; never raises."""
    global _breaker_until
    if not events or time.monotonic() < _breaker_until:
        return
    try:
        r = get_redis()
        ensure_group(r)
        pipe = r.pipeline(transaction=False)
        key = stream_key()
        for event in events:
            pipe.xadd(key, {"e": json.dumps(event, separators=(",", ":"), default=str)}, maxlen=STREAM_MAXLEN)
        pipe.execute()
    except Exception as exc:  # Redis down or slow: the write stands, the log keeps the events for replay
        _breaker_until = time.monotonic() + BREAKER_SECONDS
        logger.warning(
            "realtime publish failed; events stay in the log for replay",
            extra={"error": f"{type(exc).__name__}: {exc}"[:300], "events": len(events)},
        )


def reset_breaker() -> None:
    global _breaker_until
    _breaker_until = 0.0
    _group_ready.clear()


def install() -> None:
    """Register publish() with pybase.events.service (idempotent). PYBASE_REALTIME=off disables it."""
    if os.environ.get("PYBASE_REALTIME", "on").lower() in ("off", "0", "false", "no"):
        return
    from pybase.events.service import register_publisher

    register_publisher(publish)


# ---------------------------------------------------------------- the consumer


def _decode(entries: list[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    ids, events = [], []
    for entry_id, fields in entries:
        ids.append(entry_id)
        if fields and "e" in fields:
            try:
                events.append(json.loads(fields["e"]))
            except ValueError:
                logger.warning("skipping an unreadable relay entry", extra={"entry": entry_id})
    return ids, events


def process(r: redis.Redis, poster: Any, entries: list[Any]) -> int:
    """Deliver one batch of stream entries and acknowledge them; returns the events handled."""
    from pybase.db import session_scope
    from pybase.realtime.service import fan_out

    ids, events = _decode(entries)
    if events:
        fan_out(r, poster, events, session_factory=session_scope)
    if ids:
        pipe = r.pipeline(transaction=False)
        pipe.xack(stream_key(), GROUP, *ids)
        pipe.xdel(stream_key(), *ids)
        pipe.execute()
    return len(events)


def drain(r: redis.Redis, poster: Any, *, block_ms: int = 0, count: int = 1000, leftovers: bool = True) -> int:
    """Read and deliver what is waiting (first, with `leftovers`, entries read but never acknowledged,
    e.g. by a consumer that crashed); returns events handled."""
    ensure_group(r)
    handled = 0
    if leftovers:
        pending = r.xreadgroup(GROUP, CONSUMER, {stream_key(): "0"}, count=count)
        for _, entries in pending or []:
            if entries:
                handled += process(r, poster, entries)
    fresh = r.xreadgroup(GROUP, CONSUMER, {stream_key(): ">"}, count=count, block=block_ms or None)
    for _, entries in fresh or []:
        if entries:
            handled += process(r, poster, entries)
    return handled


class _Lock:
    """A Redis lease so that exactly one consumer delivers (order matters per client).

    Its value names the holder and when it plans to stop, so a scheduled successor can tell whether
    to wait for the handover or leave at once.
    """

    def __init__(self, r: redis.Redis, planned_end: float | None) -> None:
        self.r = r
        self.value = f"{uuid.uuid4().hex}:{planned_end or 0:.0f}"

    def acquire(self) -> bool:
        return bool(self.r.set(_lock_key(), self.value, nx=True, px=LOCK_TTL_MS))

    def renew(self) -> bool:
        if self.r.get(_lock_key()) == self.value:
            self.r.pexpire(_lock_key(), LOCK_TTL_MS)
            return True
        return self.acquire()

    def holder_ends_at(self) -> float | None:
        value = self.r.get(_lock_key())
        if not value:
            return None
        until = float(value.rsplit(":", 1)[-1] or 0)
        return until or None  # 0: a holder with no planned end (the local worker)

    def release(self) -> None:
        if self.r.get(_lock_key()) == self.value:
            self.r.delete(_lock_key())


def run(
    poster: Any,
    *,
    should_stop: Callable[[], bool],
    block_ms: int = 1000,
    planned_end: float | None = None,
    handover_wait: float | None = None,
) -> int:
    """Consume until should_stop() says so; survives Redis outages. Returns events handled.

    With handover_wait, a run that finds another consumer active leaves unless that consumer plans to
    stop within handover_wait seconds (then it waits and takes over).
    """
    handled = 0
    lock: _Lock | None = None
    # Per batch the loop costs only the stream read and the acknowledgement: the lease (15 s) is
    # renewed once a second, and leftovers (read, never acknowledged) are re-read only when this run
    # starts or after a failed batch, the only times there can be any.
    renewed_at = 0.0
    leftovers = True
    while not should_stop():
        try:
            r = get_redis()
            if lock is None:
                lock = _Lock(r, planned_end)
            if time.monotonic() - renewed_at >= RENEW_SECONDS:
                if not lock.renew():
                    renewed_at = 0.0
                    if handover_wait is not None:
                        ends = lock.holder_ends_at()
                        if ends is None or ends > time.time() + handover_wait:
                            return handled
                    time.sleep(0.1)  # another consumer holds the lease
                    continue
                renewed_at = time.monotonic()
            handled += drain(r, poster, block_ms=block_ms, leftovers=leftovers)
            leftovers = False
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning("relay: Redis unavailable, retrying", extra={"error": str(exc)[:200]})
            _group_ready.clear()
            renewed_at, leftovers = 0.0, True
            time.sleep(1.0)
        except Exception:
            logger.exception("relay: batch failed")
            renewed_at, leftovers = 0.0, True
            time.sleep(0.2)
    if lock is not None:
        # Redis may be down at shutdown; the lease then expires by itself.
        with contextlib.suppress(Exception):
            lock.release()
    return handled


def main() -> None:
    """Run the relay consumer in the foreground until SIGINT/SIGTERM (local development)."""
    from pybase.realtime.delivery import get_poster

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    poster = get_poster()
    logger.info("relay started", extra={"stream": stream_key(), "endpoint": getattr(poster, "endpoint_url", None)})
    run(poster, should_stop=stop.is_set, block_ms=500)
    logger.info("relay stopped")


if __name__ == "__main__":
    main()
