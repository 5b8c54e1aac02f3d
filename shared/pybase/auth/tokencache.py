"""Verified API tokens, remembered for a few seconds per process.

Without it every request hashed its token, looked it up in PostgreSQL and wrote `last_used_at`: a
round trip and an UPDATE per read. A cached entry is trusted only while the revocation stamp (a
Redis counter, read once per request) is the one read before the token was verified: every change
that ends a token bumps the stamp, so the very next request of any process verifies again. When
Redis cannot be read nothing is trusted from the cache (the database decides, as without it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.db import after_commit, utcnow
from pybase.errors import ServiceUnavailable
from pybase.logs import logger
from pybase.redis_client import get_redis, rkey

# Short: `last_used_at` is written once per verification, so it lags by this much at most.
TTL_SECONDS = 30.0
MAX_ENTRIES = 2048
# After a failed Redis read, requests skip Redis (and the cache) this long instead of each waiting
# for a connect timeout.
REDIS_BACKOFF_SECONDS = 5.0

# The bench's baseline switches the cache off to compare.
enabled = True


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None
    stamp: str
    fresh_until: float


_entries: dict[str, _Entry] = {}
_redis_down_until = 0.0


def _stamp_key() -> str:
    return rkey("auth", "token-stamp")


def current_stamp() -> str | None:
    """The revocation stamp now; None when Redis cannot tell (then the cache is not used)."""
    global _redis_down_until
    if not enabled or time.monotonic() < _redis_down_until:
        return None
    import redis  # only requests with an API token read the stamp (see pybase.redis_client)

    try:
        return get_redis().get(_stamp_key()) or "0"
    except redis.RedisError as exc:
        _redis_down_until = time.monotonic() + REDIS_BACKOFF_SECONDS
        logger.warning("token cache off: redis unreadable", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
        return None


def lookup(token_hash: str, stamp: str | None) -> Principal | None:
    if stamp is None:
        return None
    entry = _entries.get(token_hash)
    if entry is None:
        return None
    if (
        entry.stamp != stamp
        or time.monotonic() >= entry.fresh_until
        or (entry.expires_at is not None and entry.expires_at <= utcnow())
    ):
        _entries.pop(token_hash, None)
        return None
    return entry.principal


def remember(token_hash: str, stamp: str | None, principal: Principal, expires_at: datetime | None) -> None:
    """`stamp` must be the one read before the token was verified: a revocation committed meanwhile
    has bumped it, so the entry is never trusted."""
    if stamp is None:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[token_hash] = _Entry(principal, expires_at, stamp, time.monotonic() + TTL_SECONDS)


def _bump() -> None:
    get_redis().incr(_stamp_key())


def tokens_changed(session: Session) -> None:
    """Call from any change that ends API tokens (revocation, a deactivated account), before the
    commit. The stamp is bumped now, so a Redis failure fails the change before anything is
    written, and again after the commit, so a token verified between the two is not trusted."""
    import redis

    try:
        _bump()
    except redis.RedisError as exc:
        raise ServiceUnavailable("Token revocation cannot be published right now; try again.", retry_after=5) from exc
    after_commit(session, _bump)


def clear() -> None:
    _entries.clear()
