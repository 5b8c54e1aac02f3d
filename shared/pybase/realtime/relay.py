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
server); the events stay in the PostgreSQL log. The stream is only the fast path: the consumer keeps a
durable cursor in that log (Relay, Cursor) and reads it every PYBASE_RELAY_SCAN_SECONDS and whenever a stream batch
leaves an unseen ID below it, so what the stream missed is delivered in order once Redis answers again;
a Redis that came back empty gets its connection registry back from PostgreSQL (store.py).
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import text

from pybase.config import get_settings
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


# ---------------------------------------------------------------- the durable cursor

# How often the relay reads the change log for events the stream did not bring (published while Redis
# was down, or by a writer whose publish failed), and re-checks credentials when no batch does it.
SWEEP_SECONDS = 1.0
PRUNE_SECONDS = 60.0  # durable rows of connections whose $disconnect never came (2-hour limit)
SAVE_SECONDS = 1.0
SCAN_LIMIT = 1000  # events per shard and read
WAITING_LIMIT = 10_000  # stream entries looked at when starting at the end of the log
OUTAGE_RETRY_SECONDS = 0.5
STATE_NAME = "relay"
# A saved cursor older than this is not caught up from (subscribers would get stale deltas after
# newer data); the relay starts at the end of the log instead.
STALE_CURSOR_SECONDS = 15 * 60
_TOPS = text(
    "SELECT s, coalesce((SELECT max(id) FROM change_events WHERE shard = s), 0) "
    "FROM generate_series(0, CAST(:shards AS int) - 1) AS s"
)

# The statement's own snapshot: which transactions were still running when these rows were read.
# Each shard of the log is read past its own cursor (its gaps come as (shard, id) pairs).
_SCAN = text(
    """
    SELECT pg_snapshot_xmin(t.s)::text::bigint, pg_snapshot_xmax(t.s)::text::bigint,
           (SELECT coalesce(json_agg(e ORDER BY e.shard, e.id), '[]'::json) FROM (
                SELECT x.shard, x.id, x.type, x.workspace_id, x.base_id, x.table_id, x.actor_id, x.payload
                FROM unnest(CAST(:shards AS smallint[]), CAST(:floors AS bigint[]), CAST(:highs AS bigint[]))
                    AS c(shard, floor, high)
                CROSS JOIN LATERAL (
                    SELECT * FROM change_events ce
                    WHERE ce.shard = c.shard AND ce.id > c.floor AND (ce.id > c.high OR (ce.shard, ce.id) IN (
                        SELECT * FROM unnest(CAST(:gap_shards AS smallint[]), CAST(:gap_ids AS bigint[]))))
                    ORDER BY ce.id LIMIT :limit) x) e)
    FROM pg_current_snapshot() AS t(s)
    """
)


def _query(statement: Any, params: dict[str, Any] | None = None) -> Any:
    """Run one read outside a transaction and return its rows: one round trip to PostgreSQL, where a
    session costs three (BEGIN, the query, COMMIT). The relay pays it on its delivery path."""
    from pybase.db import get_engine

    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(statement, params or {}).all()


class Cursor:
    """Which change events this relay has delivered: every id <= floor, and those in (floor, high]
    except `gaps`.

    Event IDs are taken when a transaction inserts its event and become visible when it commits, so a
    lower ID can appear after a higher one was delivered. An ID not visible yet stays a gap until every
    transaction that was running when the log was read has finished (snapshot xmin past that read's
    xmax): from then on it can never appear, and the floor moves past it. (The one case this misses:
    a transaction that took its event ID in the same instant the read ran but got its transaction ID
    just after it; writes flush their changes before the event, so their transaction ID comes first.)
    """

    def __init__(self, floor: int, high: int | None = None, gaps: Any = ()) -> None:
        self.floor = floor
        self.high = max(floor, high if high is not None else floor)
        self.gaps = {int(g) for g in gaps if floor < int(g) < self.high}
        self._horizons: list[tuple[int, int]] = []  # (xmax of a read, high after delivering it)

    def is_new(self, event_id: int) -> bool:
        return event_id > self.high or (event_id > self.floor and event_id in self.gaps)

    def fresh(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Events not delivered yet, each once, in ID order."""
        out: dict[int, dict[str, Any]] = {}
        for event in events:
            event_id = int(event["id"])
            if event_id not in out and self.is_new(event_id):
                out[event_id] = event
        return [out[k] for k in sorted(out)]

    def follows(self, events: list[dict[str, Any]]) -> bool:
        """True when these events leave no unseen ID below them (no need to read the log first)."""
        lowest = min((int(e["id"]) for e in events if self.is_new(int(e["id"]))), default=None)
        return lowest is None or lowest <= self.high + 1

    def mark(self, event_ids: list[int]) -> None:
        for event_id in sorted(event_ids):
            if event_id > self.high:
                self.gaps.update(range(self.high + 1, event_id))
                self.high = event_id
            else:
                self.gaps.discard(event_id)

    def settle(self, xmin: int, xmax: int) -> None:
        """After a read of the log (snapshot xmin/xmax) was delivered: move the floor past IDs that
        can no longer commit."""
        self._horizons.append((xmax, self.high))
        ready = [high for bound, high in self._horizons if bound <= xmin]
        if ready:
            self.floor = max(self.floor, max(ready))
            self._horizons = [(b, h) for b, h in self._horizons if b > xmin]
            self.gaps = {g for g in self.gaps if g > self.floor}

    def state(self) -> tuple[int, int, list[int]]:
        return self.floor, self.high, sorted(self.gaps)


def event_shard(event: dict[str, Any]) -> int:
    shard = event.get("shard")
    if shard is None:  # published before the log had shards
        from pybase.events.service import log_shard

        shard = log_shard(event["workspace_id"], event.get("base_id"))
    return int(shard)


class LogCursor:
    """A Cursor per shard of the change log (IDs are ordered within a shard only)."""

    def __init__(self, shards: dict[int, Cursor]) -> None:
        from pybase.events.service import LOG_SHARDS

        self.shards = {n: shards.get(n) or Cursor(0) for n in range(LOG_SHARDS)}

    def of(self, event: dict[str, Any]) -> Cursor:
        return self.shards[event_shard(event)]

    def _by_shard(self, events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = {}
        for event in events:
            grouped.setdefault(event_shard(event), []).append(event)
        return grouped

    def fresh(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Events not delivered yet, each once, in ID order within each shard."""
        return [e for n, group in sorted(self._by_shard(events).items()) for e in self.shards[n].fresh(group)]

    def follows(self, events: list[dict[str, Any]]) -> bool:
        return all(self.shards[n].follows(group) for n, group in self._by_shard(events).items())

    def mark(self, events: list[dict[str, Any]]) -> None:
        for n, group in self._by_shard(events).items():
            self.shards[n].mark([int(e["id"]) for e in group])

    def settle(self, xmin: int, xmax: int) -> None:
        """After a read of every shard under one snapshot was delivered."""
        for cursor in self.shards.values():
            cursor.settle(xmin, xmax)

    def state(self) -> dict[int, tuple[int, int, list[int]]]:
        return {n: cursor.state() for n, cursor in self.shards.items()}

    def scan_params(self, limit: int) -> dict[str, Any]:
        state = self.state()
        gaps = [(n, g) for n, (_, _, shard_gaps) in state.items() for g in shard_gaps]
        return {
            "shards": list(state),
            "floors": [floor for floor, _, _ in state.values()],
            "highs": [high for _, high, _ in state.values()],
            "gap_shards": [n for n, _ in gaps],
            "gap_ids": [g for _, g in gaps],
            "limit": limit,
        }


class Relay:
    """One consumer's loop: the Redis stream is the fast path; the change log in PostgreSQL is the
    source of truth, read from the durable cursor whenever the stream may have missed something."""

    def __init__(self, poster: Any, *, name: str = STATE_NAME) -> None:
        self.poster = poster
        self.name = name
        self.cursor: LogCursor | None = None
        self.scanned_at = 0.0
        self.swept_at = 0.0
        self.pruned_at = time.monotonic()
        self.saved_at = 0.0
        self._saved: dict[int, tuple[int, int, list[int]]] | None = None

    # -- cursor persistence

    def load(self, r: redis.Redis) -> LogCursor:
        """The saved cursor; without one (first run, or saved too long ago), the end of each shard of
        the log, less what still waits in the stream (entries are deleted once delivered)."""
        from sqlalchemy import select

        from pybase.db import session_scope, utcnow
        from pybase.events.service import LOG_SHARDS
        from pybase.realtime.models import RelayState

        with session_scope() as session:
            rows = session.scalars(select(RelayState).where(RelayState.name == self.name)).all()
            current = [row for row in rows if (utcnow() - row.updated_at).total_seconds() < STALE_CURSOR_SECONDS]
            if len(rows) == LOG_SHARDS and len(current) == len(rows):
                self.cursor = LogCursor({row.shard: Cursor(row.floor, row.high, row.gaps) for row in rows})
            else:
                tops = {int(n): int(top) for n, top in session.execute(_TOPS, {"shards": LOG_SHARDS})}
                if rows:
                    logger.warning("relay: saved cursor too old, starting at the end of the log")
                _, waiting = _decode(r.xrange(stream_key(), count=WAITING_LIMIT))
                for event in waiting:
                    n = event_shard(event)
                    tops[n] = min(tops.get(n, 0), int(event["id"]) - 1)
                self.cursor = LogCursor({n: Cursor(int(top)) for n, top in tops.items()})
        self._saved = self.cursor.state()
        return self.cursor

    def save(self, *, force: bool = False) -> None:
        if self.cursor is None:
            return
        state = self.cursor.state()
        since = time.monotonic() - self.saved_at
        # Unchanged, it is still written once a minute: its age tells a successor it is current.
        if not force and (since < SAVE_SECONDS or (state == self._saved and since < 60)):
            return
        from sqlalchemy.dialects.postgresql import insert

        from pybase.db import session_scope, utcnow
        from pybase.realtime.models import RelayState

        now = utcnow()
        rows = [
            {"name": self.name, "shard": n, "floor": floor, "high": high, "gaps": gaps, "updated_at": now}
            for n, (floor, high, gaps) in state.items()
        ]
        statement = insert(RelayState).values(rows)
        with session_scope() as session:
            # Losing the last second of cursor in a crash only means a few frames sent twice (clients
            # drop IDs they have): not worth waiting for a WAL flush on the delivery thread.
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["name", "shard"],
                    set_={k: statement.excluded[k] for k in ("floor", "high", "gaps", "updated_at")},
                )
            )
        self._saved, self.saved_at = state, time.monotonic()

    # -- delivery

    def deliver(self, r: redis.Redis, events: list[dict[str, Any]]) -> int:
        from pybase.db import session_scope
        from pybase.realtime.service import fan_out

        assert self.cursor is not None
        fresh = self.cursor.fresh(events)
        if not fresh:
            return 0
        self.sweep(r)  # credentials are re-checked before every batch
        fan_out(r, self.poster, fresh, session_factory=session_scope)
        self.cursor.mark(fresh)
        return len(fresh)

    def scan(self, r: redis.Redis) -> int:
        """Deliver every committed event past the cursor that was not delivered yet, in ID order."""
        assert self.cursor is not None
        handled = 0
        while True:
            [(xmin, xmax, rows)] = _query(_SCAN, self.cursor.scan_params(SCAN_LIMIT))
            if isinstance(rows, str):
                rows = json.loads(rows)
            handled += self.deliver(r, rows)
            self.cursor.settle(int(xmin), int(xmax))
            per_shard: dict[int, int] = {}
            for row in rows:
                per_shard[row["shard"]] = per_shard.get(row["shard"], 0) + 1
            if max(per_shard.values(), default=0) < SCAN_LIMIT:
                break
        self.scanned_at = time.monotonic()
        return handled

    def sweep(self, r: redis.Redis) -> list[str]:
        """Close the connections whose credential was revoked (API token deleted, logout, password
        change, user deactivated): out of the registry first, so nothing more reaches them, then
        closed through the management API."""
        from pybase.db import session_scope
        from pybase.realtime import registry, store
        from pybase.realtime.schemas import dumps

        revoked = [row[0] for row in _query(store.REVOKED)]
        self.swept_at = time.monotonic()
        if not revoked:
            return revoked
        message = dumps(
            {
                "type": "error",
                "action": None,
                "error": {
                    "code": "credentials_revoked",
                    "message": "The token this connection was opened with was revoked.",
                    "details": {},
                },
            }
        )
        for cid in revoked:
            registry.remove_connection(r, cid)
            with contextlib.suppress(Exception):  # already gone is as good as closed
                self.poster.post(cid, message)
            close = getattr(self.poster, "close", None)
            if close is not None:
                try:
                    close(cid)
                except Exception as exc:
                    logger.warning("relay: could not close a revoked connection", extra={"error": str(exc)[:200]})
        with session_scope() as session:
            store.delete_connections(session, revoked)
        logger.info("closed websocket connections of revoked credentials", extra={"count": len(revoked)})
        return revoked

    def restore_registry(self, r: redis.Redis, *, after_outage: bool) -> int:
        """Refill the Redis registry from its durable copy when Redis lost it (restarted empty), or
        after any outage; connections that had vanished from Redis get a `resync` message. Returns
        how many were restored."""
        from pybase.db import session_scope
        from pybase.realtime import registry, store
        from pybase.realtime.schemas import dumps, scope_fields
        from pybase.realtime.service import drop_gone

        marker = rkey("ws", "registry", "restored")
        if not after_outage and r.exists(marker):
            return 0
        with session_scope() as session:
            store.prune_expired(session)
            rows = store.live(session)
        restored = []
        for row in rows:
            missing = registry.get_connection(r, row.connection_id) is None
            store.restore(r, row)
            if missing:
                restored.append(row)
        r.set(marker, repr(time.time()))
        gone = []
        for row in restored:
            message = {
                "type": "resync",
                "reason": "registry_restored",
                "subscriptions": [scope_fields(scope) for scope in sorted(row.scopes or ())],
            }
            try:
                self.poster.post(row.connection_id, dumps(message))
            except Exception as exc:
                if type(exc).__name__ == "Gone":
                    gone.append(row.connection_id)
        drop_gone(r, gone)
        if restored:
            logger.info("realtime registry restored from its durable copy", extra={"connections": len(restored)})
        return len(restored)

    def step(self, r: redis.Redis, *, block_ms: int, leftovers: bool, count: int = 1000) -> int:
        """One turn: the log if a scan is due, then what the stream brings (waiting up to block_ms)."""
        if self.cursor is None:
            self.load(r)
        assert self.cursor is not None
        handled = 0
        scan_seconds = get_settings().relay_scan_seconds
        if time.monotonic() - self.scanned_at >= scan_seconds:
            handled += self.scan(r)
        ensure_group(r)
        entries: list[Any] = []
        if leftovers:
            for _, got in r.xreadgroup(GROUP, CONSUMER, {stream_key(): "0"}, count=count) or []:
                entries.extend(got or [])
        wait = int(min(block_ms, scan_seconds * 1000)) if block_ms else 0
        for _, got in r.xreadgroup(GROUP, CONSUMER, {stream_key(): ">"}, count=count, block=wait or None) or []:
            entries.extend(got or [])
        ids, events = _decode(entries)
        if events and not self.cursor.follows(events):
            handled += self.scan(r)  # something below these is missing: the log first, in order
        handled += self.deliver(r, events)
        if ids:
            pipe = r.pipeline(transaction=False)
            pipe.xack(stream_key(), GROUP, *ids)
            pipe.xdel(stream_key(), *ids)
            pipe.execute()
        if time.monotonic() - self.swept_at >= SWEEP_SECONDS:
            self.sweep(r)
        if time.monotonic() - self.pruned_at >= PRUNE_SECONDS:
            from pybase.db import session_scope
            from pybase.realtime import store

            with session_scope() as session:
                store.prune_expired(session)
            self.pruned_at = time.monotonic()
        self.save()
        return handled


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
    relay = Relay(poster)
    # Per batch the loop costs only the stream read and the acknowledgement: the lease (15 s) is
    # renewed once a second, and leftovers (read, never acknowledged) are re-read only when this run
    # starts or after a failed batch, the only times there can be any.
    renewed_at = 0.0
    leftovers = True
    restore: bool | None = False  # None: done; False: check once at start; True: after an outage
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
            if restore is not None:
                # Before delivering anything: a Redis that came back empty has no subscribers.
                relay.restore_registry(r, after_outage=restore)
                restore = None
            handled += relay.step(r, block_ms=block_ms, leftovers=leftovers)
            leftovers = False
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning("relay: Redis unavailable, retrying", extra={"error": str(exc)[:200]})
            _group_ready.clear()
            renewed_at, leftovers, restore = 0.0, True, True
            relay.scanned_at = 0.0  # catch up from the log first once Redis is back
            time.sleep(OUTAGE_RETRY_SECONDS)
        except Exception as exc:
            logger.exception("relay: batch failed")
            renewed_at, leftovers = 0.0, True
            relay.scanned_at = 0.0
            if "NOGROUP" in str(exc):  # Redis restarted empty between two calls: no outage was seen
                _group_ready.clear()
                restore = True
            time.sleep(0.2)
    # The cursor before the lease: a successor that takes over starts exactly here.
    with contextlib.suppress(Exception):
        relay.save(force=True)
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
